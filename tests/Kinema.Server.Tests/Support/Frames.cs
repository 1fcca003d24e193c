using Kinema.Media;
using Kinema.Tests.Shared;

namespace Kinema.Server.Tests.Support;

public static class Frames
{
    /// <summary>Mean absolute pixel difference over the frames the two lists share, in 0-255 levels.</summary>
    public static double MeanDifference(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b)
        => a.Zip(b, (x, y) => x.Pixels.Zip(y.Pixels, (p, q) => Math.Abs(p - q)).Average()).Average();

    /// <summary><see cref="FrameComparison.BlockMeanDifference"/> over the frames the two lists share.</summary>
    public static double BlockMeanDifference(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b, int block = 4)
        => a.Zip(b, (x, y) => FrameComparison.BlockMeanDifference(x, y, block)).Average();

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
