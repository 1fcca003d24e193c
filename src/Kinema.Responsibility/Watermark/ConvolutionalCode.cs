namespace Kinema.Responsibility.Watermark;

/// <summary>
/// The rate-1/2, constraint-length-7 convolutional code (generators 133 and 171 octal, the one used by
/// 802.11 and CCSDS), terminated with six zero bits, decoded with a soft-decision Viterbi decoder. Soft
/// inputs let weak and strong chips count for what they are worth, which buys several dB over hard
/// repetition at the same number of chips.
/// </summary>
internal static class ConvolutionalCode
{
    private const int ConstraintLength = 7;
    private const int States = 1 << (ConstraintLength - 1);
    private const int G0 = 0b1011011; // 133 octal
    private const int G1 = 0b1111001; // 171 octal

    public static int CodedLength(int dataBits) => 2 * (dataBits + ConstraintLength - 1);

    public static bool[] Encode(bool[] data)
    {
        var coded = new bool[CodedLength(data.Length)];
        int register = 0, at = 0;
        for (int i = 0; i < data.Length + ConstraintLength - 1; i++)
        {
            int bit = i < data.Length && data[i] ? 1 : 0;
            register = ((register << 1) | bit) & ((1 << ConstraintLength) - 1);
            coded[at++] = Parity(register & G0);
            coded[at++] = Parity(register & G1);
        }
        return coded;
    }

    /// <summary>Decodes soft values (positive means 1, magnitude is confidence) back to <paramref name="dataBits"/> bits.</summary>
    public static bool[] Decode(ReadOnlySpan<double> soft, int dataBits)
    {
        int steps = dataBits + ConstraintLength - 1;
        if (soft.Length != 2 * steps) throw new ArgumentException($"expected {2 * steps} soft values, got {soft.Length}");
        var metric = new double[States];
        var next = new double[States];
        Array.Fill(metric, double.NegativeInfinity);
        metric[0] = 0;
        var decisions = new byte[steps, States];
        for (int t = 0; t < steps; t++)
        {
            Array.Fill(next, double.NegativeInfinity);
            double s0 = soft[2 * t], s1 = soft[2 * t + 1];
            for (int state = 0; state < States; state++)
            {
                if (double.IsNegativeInfinity(metric[state])) continue;
                for (int bit = 0; bit <= (t < dataBits ? 1 : 0); bit++)
                {
                    int register = ((state << 1) | bit) & ((1 << ConstraintLength) - 1);
                    double branch = (Parity(register & G0) ? s0 : -s0) + (Parity(register & G1) ? s1 : -s1);
                    int target = register & (States - 1);
                    double candidate = metric[state] + branch;
                    if (candidate > next[target])
                    {
                        next[target] = candidate;
                        decisions[t, target] = (byte)(state >> (ConstraintLength - 2)); // the bit shifted out
                    }
                }
            }
            (metric, next) = (next, metric);
        }
        // The tail drives the encoder back to state 0; trace back from there.
        var bits = new bool[steps];
        int current = 0;
        for (int t = steps - 1; t >= 0; t--)
        {
            bits[t] = (current & 1) == 1;
            current = (current >> 1) | (decisions[t, current] << (ConstraintLength - 2));
        }
        return bits[..dataBits];
    }

    private static bool Parity(int value) => (System.Numerics.BitOperations.PopCount((uint)value) & 1) == 1;
}
