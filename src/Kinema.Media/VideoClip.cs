namespace Kinema.Media;

/// <summary>Decoded frames of a video, all of the same size, with the stream's frame rate.</summary>
public sealed class VideoClip
{
    /// <summary>Wraps decoded frames; every frame must be <paramref name="width"/> x <paramref name="height"/>.</summary>
    public VideoClip(IReadOnlyList<RgbFrame> frames, double fps, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (!double.IsFinite(fps) || fps <= 0)
            throw new ArgumentOutOfRangeException(nameof(fps), fps, "fps must be a finite number > 0");
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].Width != width || frames[i].Height != height)
                throw new ArgumentException(
                    $"frame {i} is {frames[i].Width}x{frames[i].Height} but the clip is {width}x{height}", nameof(frames));
        }
        Frames = frames;
        Fps = fps;
        Width = width;
        Height = height;
    }

    /// <summary>The frames in display order.</summary>
    public IReadOnlyList<RgbFrame> Frames { get; }

    /// <summary>Average frames per second of the stream.</summary>
    public double Fps { get; }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }
}
