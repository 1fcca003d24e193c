using Kinema.Media;

namespace Kinema.Tests.Shared;

/// <summary>
/// Frames compared as the eye sees them from a distance: mean absolute difference of block averages per channel.
/// Watermarks, dithering and an encoder's rounding are high-frequency and mostly average out; differences in content do not.
/// </summary>
public static class FrameComparison
{
    /// <returns>The mean absolute difference of the two frames' <paramref name="block"/>x<paramref name="block"/> block means, in 0-255 levels.</returns>
    public static double BlockMeanDifference(RgbFrame a, RgbFrame b, int block = 4)
    {
        if (a.Width != b.Width || a.Height != b.Height) throw new ArgumentException($"frames differ in size: {a.Width}x{a.Height} and {b.Width}x{b.Height}");
        var (x, y) = (BlockMeans(a, block), BlockMeans(b, block));
        return x.Zip(y, (p, q) => Math.Abs(p - q)).Average();
    }

    private static double[] BlockMeans(RgbFrame frame, int block)
    {
        int bw = frame.Width / block, bh = frame.Height / block;
        var means = new double[bw * bh * 3];
        for (int y = 0; y < bh * block; y++)
            for (int x = 0; x < bw * block; x++)
                for (int c = 0; c < 3; c++)
                    means[((y / block) * bw + x / block) * 3 + c] += frame.Pixels[(y * frame.Width + x) * 3 + c] / (double)(block * block);
        return means;
    }
}
