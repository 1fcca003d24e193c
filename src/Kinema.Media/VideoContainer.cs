namespace Kinema.Media;

/// <summary>The container a <see cref="VideoWriter"/> actually produced.</summary>
public enum VideoContainer
{
    /// <summary>H.264 (libx264, yuv420p) in MP4, written by ffmpeg.</summary>
    Mp4,

    /// <summary>Animated GIF, written by the built-in encoder (asked for, or the fallback when ffmpeg is absent).</summary>
    Gif,
}
