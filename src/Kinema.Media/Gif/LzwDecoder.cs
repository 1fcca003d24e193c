namespace Kinema.Media.Gif;

/// <summary>Decodes GIF LZW data (already joined from its sub-blocks) into palette indices.</summary>
internal static class LzwDecoder
{
    private const int MaxCodes = 4096;

    /// <summary>
    /// Fills <paramref name="output"/> with up to its length in indices. Returns how many were produced;
    /// throws <see cref="InvalidDataException"/> on a code that cannot occur in a valid stream.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int minCodeSize, Span<byte> output)
    {
        if (minCodeSize is < 2 or > 8) throw new InvalidDataException($"LZW minimum code size {minCodeSize} is outside 2..8");
        int clear = 1 << minCodeSize;
        int endOfInformation = clear + 1;
        var prefix = new short[MaxCodes];
        var suffix = new byte[MaxCodes];
        var first = new byte[MaxCodes];
        var stack = new byte[MaxCodes + 1];
        for (int i = 0; i < clear; i++)
        {
            suffix[i] = (byte)i;
            first[i] = (byte)i;
            prefix[i] = -1;
        }

        int codeSize = minCodeSize + 1;
        int nextCode = clear + 2;
        int previous = -1;
        int written = 0;
        int bitPosition = 0;
        long totalBits = (long)data.Length * 8;

        while (written < output.Length && bitPosition + codeSize <= totalBits)
        {
            int code = ReadCode(data, bitPosition, codeSize);
            bitPosition += codeSize;
            if (code == clear)
            {
                codeSize = minCodeSize + 1;
                nextCode = clear + 2;
                previous = -1;
                continue;
            }
            if (code == endOfInformation) break;
            if (previous == -1)
            {
                if (code >= clear) throw new InvalidDataException($"LZW stream starts with code {code}, which is not a literal");
                output[written++] = (byte)code;
                previous = code;
                continue;
            }

            int current = code;
            int depth = 0;
            if (code > nextCode || (code == nextCode && nextCode >= MaxCodes))
                throw new InvalidDataException($"LZW code {code} refers past the table (next free entry is {nextCode})");
            if (code == nextCode)
            {
                // The KwKwK case: the code being defined right now is previous string + its own first byte.
                stack[depth++] = first[previous];
                current = previous;
            }
            while (current >= clear)
            {
                stack[depth++] = suffix[current];
                current = prefix[current];
            }
            stack[depth++] = (byte)current;

            if (nextCode < MaxCodes)
            {
                prefix[nextCode] = (short)previous;
                suffix[nextCode] = (byte)current;
                first[nextCode] = first[previous];
                nextCode++;
                if (nextCode == 1 << codeSize && codeSize < 12) codeSize++;
            }

            while (depth > 0 && written < output.Length) output[written++] = stack[--depth];
            previous = code;
        }
        return written;
    }

    private static int ReadCode(ReadOnlySpan<byte> data, int bitPosition, int width)
    {
        int value = 0;
        int byteIndex = bitPosition >> 3;
        int shift = bitPosition & 7;
        // A 12-bit code spans at most three bytes.
        for (int i = 0, got = 0; got < width + shift && byteIndex + i < data.Length; i++, got += 8)
            value |= data[byteIndex + i] << (8 * i);
        return (value >> shift) & ((1 << width) - 1);
    }
}
