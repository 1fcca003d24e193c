namespace Kinema.Media.Gif;

/// <summary>
/// Maps RGB pixels to their nearest palette index (squared RGB distance, results cached per colour),
/// optionally with 4x4 Bayer ordered dithering to break up banding when the palette is approximate.
/// </summary>
internal sealed class PaletteMapper(int[] palette, bool dither)
{
    private const int MaxCacheEntries = 1 << 20;

    private static readonly int[] Bayer4 = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

    // Dither amplitude follows how far apart the palette's colours actually are: median cut packs entries
    // densely where the video's colours are, and a fixed amplitude would add visible noise there.
    private readonly int _spread = dither ? TypicalSpacing(palette) : 0;
    private readonly Dictionary<int, byte> _cache = new();

    public void Map(byte[] rgb, int width, byte[] indices)
    {
        for (int p = 0, i = 0; p < indices.Length; p++, i += 3)
        {
            int r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
            if (_spread > 0)
            {
                int x = p % width, y = p / width;
                int offset = (Bayer4[(y & 3) * 4 + (x & 3)] * 2 - 15) * _spread / 32;
                r = Math.Clamp(r + offset, 0, 255);
                g = Math.Clamp(g + offset, 0, 255);
                b = Math.Clamp(b + offset, 0, 255);
            }
            indices[p] = Nearest((r << 16) | (g << 8) | b);
        }
    }

    private static int TypicalSpacing(int[] palette)
    {
        if (palette.Length < 2) return 0;
        double total = 0;
        foreach (int a in palette)
        {
            int nearest = int.MaxValue;
            foreach (int b in palette)
            {
                if (a == b) continue;
                int dr = (a >> 16) - (b >> 16), dg = ((a >> 8) & 0xFF) - ((b >> 8) & 0xFF), db = (a & 0xFF) - (b & 0xFF);
                nearest = Math.Min(nearest, dr * dr + dg * dg + db * db);
            }
            total += Math.Sqrt(nearest);
        }
        return (int)Math.Round(total / palette.Length);
    }

    private byte Nearest(int color)
    {
        if (_cache.TryGetValue(color, out byte cached)) return cached;
        int r = color >> 16, g = (color >> 8) & 0xFF, b = color & 0xFF;
        int best = 0, bestDistance = int.MaxValue;
        for (int i = 0; i < palette.Length; i++)
        {
            int dr = r - (palette[i] >> 16), dg = g - ((palette[i] >> 8) & 0xFF), db = b - (palette[i] & 0xFF);
            int distance = dr * dr + dg * dg + db * db;
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = i;
                if (distance == 0) break;
            }
        }
        if (_cache.Count >= MaxCacheEntries) _cache.Clear();
        _cache[color] = (byte)best;
        return (byte)best;
    }
}
