using Kinema.Media;

namespace Kinema.Media.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with its contents on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kinema-media-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Names of all files in the folder, hidden temporaries included.</summary>
    public string[] FileNames() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order().ToArray()!;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A fact that is skipped, with the reason shown, where ffmpeg and ffprobe are not installed.</summary>
internal sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute()
    {
        if (Ffmpeg.LocateFfprobe() is null) Skip = "needs ffmpeg and ffprobe (apt-get install ffmpeg)";
    }
}

/// <summary>A theory that is skipped, with the reason shown, where ffmpeg and ffprobe are not installed.</summary>
internal sealed class FfmpegTheoryAttribute : TheoryAttribute
{
    public FfmpegTheoryAttribute()
    {
        if (Ffmpeg.LocateFfprobe() is null) Skip = "needs ffmpeg and ffprobe (apt-get install ffmpeg)";
    }
}

internal static class Frames
{
    private static readonly (byte R, byte G, byte B)[] Bars =
    [
        (235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16),
        (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16),
    ];

    /// <summary>Eight vertical colour bars (flat colours, at most 8 distinct), shifted right by <paramref name="shift"/> pixels.</summary>
    public static RgbFrame ColourBars(int width, int height, int shift = 0)
    {
        var frame = new RgbFrame(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = Bars[((x + shift) % width) * Bars.Length / width];
                frame.SetPixel(x, y, r, g, b);
            }
        }
        return frame;
    }

    /// <summary>A smooth two-axis gradient with thousands of distinct colours, changing with <paramref name="t"/>.</summary>
    public static RgbFrame Gradient(int width, int height, int t = 0)
    {
        var frame = new RgbFrame(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                frame.SetPixel(x, y, (byte)(x * 255 / (width - 1)), (byte)(y * 255 / (height - 1)), (byte)((x + y + t * 8) % 256));
        }
        return frame;
    }

    public static RgbFrame Noise(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbFrame(width, height, pixels);
    }

    public static double MeanAbsoluteError(RgbFrame a, RgbFrame b)
    {
        long sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return (double)sum / a.Pixels.Length;
    }
}
