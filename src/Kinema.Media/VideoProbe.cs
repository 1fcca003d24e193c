namespace Kinema.Media;

/// <summary>
/// Stream facts about a video file (first video stream). <see cref="FrameCount"/> is counted by
/// decoding, not read from the header. <see cref="Codec"/> and <see cref="PixelFormat"/> use
/// ffprobe's names (e.g. "h264", "yuv420p"; a GIF probed without ffprobe reports "gif", "pal8").
/// </summary>
public sealed record VideoProbe(
    int Width,
    int Height,
    double Fps,
    int FrameCount,
    string Codec,
    string PixelFormat,
    string? Comment);
