using Kinema.Media.Gif;
using Kinema.Media.Internal;

namespace Kinema.Media;

/// <summary>
/// Whole-file video helpers. GIFs are always read by the built-in decoder (same result with or without
/// ffmpeg); everything else is decoded or probed by ffmpeg/ffprobe.
/// </summary>
public static class VideoFile
{
    /// <summary>
    /// Writes all <paramref name="frames"/> with a <see cref="VideoWriter"/> sized by the first frame.
    /// If enumerating the frames throws, nothing is left behind and an existing target is untouched.
    /// </summary>
    public static VideoWriteResult Write(string path, IEnumerable<RgbFrame> frames, VideoWriteOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(options);
        VideoWriter? writer = null;
        try
        {
            foreach (RgbFrame frame in frames)
            {
                ArgumentNullException.ThrowIfNull(frame, nameof(frames));
                writer ??= VideoWriter.Open(path, frame.Width, frame.Height, options);
                writer.Write(frame);
            }
            if (writer is null) throw new ArgumentException($"no frames to write to '{path}'; a video needs at least one frame", nameof(frames));
            return writer.Complete();
        }
        finally
        {
            writer?.Dispose();
        }
    }

    /// <summary>Decodes up to <paramref name="maxFrames"/> frames (all when null) of a video to RGB24.</summary>
    public static VideoClip Read(string path, int? maxFrames = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (maxFrames is < 1) throw new ArgumentOutOfRangeException(nameof(maxFrames), maxFrames, "maxFrames must be at least 1, or null for all frames");
        if (TryReadGif(path, maxFrames) is { } gif)
            return new VideoClip(gif.Frames, gif.Fps, gif.Width, gif.Height);

        string ffmpeg = RequireFfmpeg(path);
        VideoProbe probe = Ffprobe.Run(RequireFfprobe(path), path, countFrames: false);
        if (probe.Fps <= 0) throw new MediaException($"'{path}' has no usable frame rate (is it a still image? use ImageFile.Read)");
        var frames = FfmpegDecoder.Decode(ffmpeg, path, probe.Width, probe.Height, maxFrames);
        return new VideoClip(frames, probe.Fps, probe.Width, probe.Height);
    }

    /// <summary>Size, rate, exact frame count, codec, pixel format and comment of the first video stream.</summary>
    public static VideoProbe Probe(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireExisting(path);
        if (Ffmpeg.LocateFfprobe() is { } ffprobe) return Ffprobe.Run(ffprobe, path, countFrames: true);
        if (TryReadGif(path, null) is { } gif)
            return new VideoProbe(gif.Width, gif.Height, gif.Fps, gif.Frames.Count, "gif", "pal8", gif.Comment);
        RequireFfmpeg(path);
        throw new MediaException($"cannot probe '{path}': ffprobe was not found beside ffmpeg or on PATH; {Ffmpeg.InstallHint}");
    }

    internal static void RequireExisting(string path)
    {
        if (!File.Exists(path))
        {
            throw Directory.Exists(path)
                ? new MediaException($"'{path}' is a folder, not a media file")
                : new MediaException($"media file not found: '{Path.GetFullPath(path)}'");
        }
    }

    internal static string RequireFfmpeg(string path) =>
        Ffmpeg.Locate() ?? throw new MediaException(
            $"cannot read '{path}': {Ffmpeg.DescribeAbsence()}, and without it only PNG images and GIF videos can be read; {Ffmpeg.InstallHint}");

    internal static string RequireFfprobe(string path) =>
        Ffmpeg.LocateFfprobe() ?? throw new MediaException(
            $"cannot read '{path}': ffprobe was not found beside ffmpeg or on PATH; {Ffmpeg.InstallHint}");

    private static GifImage? TryReadGif(string path, int? maxFrames)
    {
        RequireExisting(path);
        byte[] data;
        try
        {
            using (var head = File.OpenRead(path))
            {
                Span<byte> signature = stackalloc byte[6];
                if (head.ReadAtLeast(signature, 6, throwOnEndOfStream: false) < 6 || !GifDecoder.HasSignature(signature)) return null;
            }
            data = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new MediaException($"cannot read '{path}': {e.Message}", e);
        }
        try
        {
            return GifDecoder.Decode(data, maxFrames);
        }
        catch (InvalidDataException e)
        {
            throw new MediaException($"'{path}' is not a valid GIF: {e.Message}", e);
        }
    }
}
