using Kinema.Media;

namespace Kinema.World;

/// <summary>Small image operations the judge needs, on packed RGB24 buffers.</summary>
internal static class PixelMath
{
    /// <summary>Area-average downsampling by an integer factor (no-op copy-free for factor 1).</summary>
    public static RgbFrame Downsample(RgbFrame frame, int factor)
    {
        if (factor == 1) return frame;
        int w = frame.Width / factor, h = frame.Height / factor;
        var target = new byte[w * h * 3];
        var source = frame.Pixels;
        int area = factor * factor;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int r = 0, g = 0, b = 0;
                for (int dy = 0; dy < factor; dy++)
                {
                    int o = ((y * factor + dy) * frame.Width + x * factor) * 3;
                    for (int dx = 0; dx < factor; dx++, o += 3)
                    {
                        r += source[o];
                        g += source[o + 1];
                        b += source[o + 2];
                    }
                }
                int t = (y * w + x) * 3;
                target[t] = (byte)(r / area);
                target[t + 1] = (byte)(g / area);
                target[t + 2] = (byte)(b / area);
            }
        }
        return new RgbFrame(w, h, target);
    }

    public static float[] Luma(RgbFrame frame)
    {
        var luma = new float[frame.Width * frame.Height];
        var p = frame.Pixels;
        for (int i = 0, o = 0; i < luma.Length; i++, o += 3)
            luma[i] = 0.299f * p[o] + 0.587f * p[o + 1] + 0.114f * p[o + 2];
        return luma;
    }

    /// <summary>Mean absolute difference between a luma image and its 3x3 box blur: how much fine detail (drops, flakes, noise) it has.</summary>
    public static double FineDetail(float[] luma, int width, int height)
    {
        double sum = 0;
        for (int y = 1; y < height - 1; y++)
        {
            for (int x = 1; x < width - 1; x++)
            {
                int i = y * width + x;
                float blur = (luma[i - width - 1] + luma[i - width] + luma[i - width + 1] + luma[i - 1] + luma[i] + luma[i + 1]
                    + luma[i + width - 1] + luma[i + width] + luma[i + width + 1]) / 9f;
                sum += Math.Abs(luma[i] - blur);
            }
        }
        return sum / Math.Max(1, (width - 2) * (height - 2));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return 0;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    public static double Percentile(IEnumerable<double> values, double fraction)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return 0;
        return sorted[Math.Clamp((int)Math.Round(fraction * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }

    /// <summary>Indices of <paramref name="samples"/> frames spread evenly over a clip of <paramref name="count"/> frames.</summary>
    public static int[] SpreadIndices(int count, int samples)
    {
        samples = Math.Min(samples, count);
        return Enumerable.Range(0, samples).Select(i => samples == 1 ? 0 : (int)Math.Round(i * (count - 1) / (double)(samples - 1))).Distinct().ToArray();
    }
}
