using Kinema.Media.Gif;
using Kinema.Media.Internal;

namespace Kinema.Media;

/// <summary>
/// Streams frames into a video file. A path ending in <c>.mp4</c> is encoded by ffmpeg (H.264, yuv420p,
/// exact constant rate and frame count); without ffmpeg it becomes an animated GIF beside it (<c>x.gif</c>
/// for <c>x.mp4</c>) and <see cref="VideoWriteResult.Notice"/> says so. A path ending in <c>.gif</c> is
/// always written by the built-in GIF encoder.
/// <para>
/// The video is written to a hidden temporary file in the target folder and renamed into place only by
/// <see cref="Complete"/>. Any failure, or disposing without completing, deletes the temporary file and
/// leaves a file already at the target path untouched. After a failed <see cref="Write"/> the writer is
/// aborted: further calls throw <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Width and height must be even: H.264 in yuv420p stores colour at half resolution, and rather than
/// silently padding or cropping the caller's frames this writer rejects odd sizes (for GIF too, so that a
/// pipeline behaves the same with or without ffmpeg).
/// </para>
/// </summary>
public sealed class VideoWriter : IDisposable
{
    private readonly AtomicFile _file;
    private readonly IVideoSink _sink;
    private readonly VideoContainer _format;
    private readonly string? _notice;
    private State _state = State.Open;
    private int _frameCount;

    private VideoWriter(AtomicFile file, IVideoSink sink, VideoContainer format, int width, int height, string? notice)
    {
        _file = file;
        _sink = sink;
        _format = format;
        _notice = notice;
        Width = width;
        Height = height;
    }

    private enum State { Open, Completed, Aborted }

    /// <summary>Frame width every written frame must have.</summary>
    public int Width { get; }

    /// <summary>Frame height every written frame must have.</summary>
    public int Height { get; }

    /// <summary>Where the video will be once <see cref="Complete"/> succeeds (may differ from the path asked for).</summary>
    public string Path => _file.TargetPath;

    /// <summary>Starts writing a <paramref name="width"/> x <paramref name="height"/> video to <paramref name="path"/> (<c>.mp4</c> or <c>.gif</c>).</summary>
    public static VideoWriter Open(string path, int width, int height, VideoWriteOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        CheckSize(width, nameof(width));
        CheckSize(height, nameof(height));
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".mp4" or ".gif"))
            throw new ArgumentException($"unsupported video extension '{extension}' in '{path}'; allowed: .mp4, .gif", nameof(path));

        string? ffmpeg = extension == ".mp4" ? Ffmpeg.Locate() : null;
        if (ffmpeg is not null)
        {
            var file = new AtomicFile(path);
            try
            {
                return new VideoWriter(file, new Mp4Sink(ffmpeg, file.TempPath, file.TargetPath, width, height, options), VideoContainer.Mp4, width, height, null);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        string target = extension == ".gif" ? path : System.IO.Path.ChangeExtension(path, ".gif");
        var gifFile = new AtomicFile(target);
        string? notice = extension == ".gif"
            ? null
            : $"{Ffmpeg.DescribeAbsence()}, so the video was written as an animated GIF to {gifFile.TargetPath}; for MP4, {Ffmpeg.InstallHint}.";
        try
        {
            return new VideoWriter(gifFile, new GifSink(gifFile.TempPath, gifFile.TargetPath, width, height, options), VideoContainer.Gif, width, height, notice);
        }
        catch
        {
            gifFile.Dispose();
            throw;
        }
    }

    /// <summary>Appends one frame; it must be <see cref="Width"/> x <see cref="Height"/>.</summary>
    public void Write(RgbFrame frame)
    {
        EnsureOpen();
        try
        {
            ArgumentNullException.ThrowIfNull(frame);
            if (frame.Width != Width || frame.Height != Height)
                throw new ArgumentException(
                    $"frame {_frameCount} is {frame.Width}x{frame.Height} but this video is {Width}x{Height}; every frame must have the size given to Open",
                    nameof(frame));
            _sink.Write(frame);
            _frameCount++;
        }
        catch
        {
            Abort();
            throw;
        }
    }

    /// <summary>Finishes encoding and renames the file into place. At least one frame must have been written.</summary>
    public VideoWriteResult Complete()
    {
        EnsureOpen();
        try
        {
            if (_frameCount == 0)
                throw new InvalidOperationException($"no frames were written to '{Path}'; a video needs at least one frame");
            _sink.Finish();
            _sink.Dispose();
            _file.Commit();
            _state = State.Completed;
            return new VideoWriteResult(_file.TargetPath, _format, _frameCount, _notice);
        }
        catch
        {
            Abort();
            throw;
        }
    }

    /// <summary>Abandons an unfinished video: stops the encoder and deletes the temporary file.</summary>
    public void Dispose()
    {
        if (_state == State.Open) Abort();
    }

    private void Abort()
    {
        _state = State.Aborted;
        _sink.Dispose();
        _file.Dispose();
    }

    private void EnsureOpen()
    {
        if (_state == State.Completed) throw new InvalidOperationException($"the video '{Path}' is already complete");
        if (_state == State.Aborted) throw new InvalidOperationException($"writing '{Path}' was aborted after an earlier error or Dispose");
    }

    private static void CheckSize(int value, string name)
    {
        if (value < 2 || value % 2 != 0)
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be even and at least 2: H.264 in yuv420p stores colour at half resolution (pad or crop the frames by one pixel)");
    }
}
