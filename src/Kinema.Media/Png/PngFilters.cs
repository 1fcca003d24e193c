namespace Kinema.Media.Png;

/// <summary>The five PNG scanline filters (None, Sub, Up, Average, Paeth), shared by reader and writer.</summary>
internal static class PngFilters
{
    public static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    /// <summary>Reverses <paramref name="filter"/> on <paramref name="row"/> in place, given the already reconstructed previous row.</summary>
    public static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        switch (filter)
        {
            case 0:
                return;
            case 1:
                for (int i = bytesPerPixel; i < row.Length; i++) row[i] += row[i - bytesPerPixel];
                return;
            case 2:
                for (int i = 0; i < row.Length; i++) row[i] += previous[i];
                return;
            case 3:
                for (int i = 0; i < row.Length; i++)
                {
                    int left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }
                return;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    byte left = i >= bytesPerPixel ? row[i - bytesPerPixel] : (byte)0;
                    byte upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : (byte)0;
                    row[i] += Paeth(left, previous[i], upLeft);
                }
                return;
            default:
                throw new InvalidDataException($"unknown scanline filter type {filter} (allowed 0..4)");
        }
    }

    /// <summary>Applies <paramref name="filter"/> to <paramref name="row"/>, writing into <paramref name="output"/>.</summary>
    public static void Filter(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel, Span<byte> output)
    {
        for (int i = 0; i < row.Length; i++)
        {
            byte left = i >= bytesPerPixel ? row[i - bytesPerPixel] : (byte)0;
            byte upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : (byte)0;
            output[i] = filter switch
            {
                0 => row[i],
                1 => (byte)(row[i] - left),
                2 => (byte)(row[i] - previous[i]),
                3 => (byte)(row[i] - ((left + previous[i]) >> 1)),
                _ => (byte)(row[i] - Paeth(left, previous[i], upLeft)),
            };
        }
    }
}
