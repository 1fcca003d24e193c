namespace Kinema.Media;

/// <summary>
/// What a finished write produced. <see cref="Path"/> may differ from the path asked for: without ffmpeg
/// an MP4 request becomes a GIF beside it, and <see cref="Notice"/> then says so in one line.
/// </summary>
public sealed record VideoWriteResult(string Path, VideoContainer Format, int FrameCount, string? Notice);
