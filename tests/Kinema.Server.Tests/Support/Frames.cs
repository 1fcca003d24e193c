using Kinema.Media;

namespace Kinema.Server.Tests.Support;

public static class Frames
{
    /// <summary>Mean absolute pixel difference over the frames the two lists share, in 0-255 levels.</summary>
    public static double MeanDifference(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b)
        => a.Zip(b, (x, y) => x.Pixels.Zip(y.Pixels, (p, q) => Math.Abs(p - q)).Average()).Average();

    /// <summary>
    /// <see cref="MeanDifference"/> of the frames' 4x4-block means: the watermark and the encoder's rounding are
    /// high-frequency and mostly average out, differences in content do not.
    /// </summary>
    public static double BlockMeanDifference(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b, int block = 4)
        => a.Zip(b, (x, y) => MeanAbsolute(BlockMeans(x, block), BlockMeans(y, block))).Average();

    private static double MeanAbsolute(double[] x, double[] y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Average();

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

    /// <summary>A synthetic clip whose pixels change from frame to frame, written as an MP4.</summary>
    public static string WriteClip(string path, int width, int height, int count, int fps = 8, int shade = 0)
    {
        var frames = Enumerable.Range(0, count).Select(i =>
        {
            var frame = new RgbFrame(width, height);
            for (int p = 0; p < frame.Pixels.Length; p++) frame.Pixels[p] = (byte)(shade + i * 20 + p % 50);
            return frame;
        }).ToList();
        VideoFile.Write(path, frames, new VideoWriteOptions { Fps = fps });
        return path;
    }
}
