using Kinema.Media.Internal;
using Kinema.Media.Png;

namespace Kinema.Media;

/// <summary>
/// Still images. PNG is written and read in pure C# (no ffmpeg needed); other formats (JPEG, WebP, BMP, …)
/// go through ffmpeg when it is present. Writes are atomic: a temporary file beside the target is renamed
/// into place, so a failure never leaves a partial image or clobbers an existing one.
/// </summary>
public static class ImageFile
{
    /// <summary>Writes <paramref name="frame"/> as an 8-bit RGB PNG.</summary>
    public static void WritePng(string path, RgbFrame frame)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(frame);
        AtomicFile.Write(path, stream => PngWriter.Write(stream, frame));
    }

    /// <summary>
    /// Writes <paramref name="frame"/> in the format named by the extension: <c>.png</c> built in, anything
    /// else ffmpeg can encode as a single image (<c>.jpg</c>, <c>.webp</c>, <c>.bmp</c>, …) through ffmpeg.
    /// </summary>
    public static void Write(string path, RgbFrame frame)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(frame);
        string extension = Path.GetExtension(path);
        if (extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            WritePng(path, frame);
            return;
        }
        if (extension.Length == 0) throw new ArgumentException($"'{path}' has no extension to choose an image format by (e.g. .png, .jpg, .webp)", nameof(path));
        string ffmpeg = Ffmpeg.Locate() ?? throw new MediaException(
            $"cannot write '{path}': {Ffmpeg.DescribeAbsence()}, and without it only PNG can be written; {Ffmpeg.InstallHint}");
        using var file = new AtomicFile(path);
        FfmpegImageEncoder.Encode(ffmpeg, frame, file.TempPath, path);
        file.Commit();
    }

    /// <summary>Reads an image as RGB24 (alpha is dropped). PNG needs nothing else; other formats need ffmpeg.</summary>
    public static RgbFrame Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        VideoFile.RequireExisting(path);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new MediaException($"cannot read '{path}': {e.Message}", e);
        }
        if (PngReader.HasSignature(data))
        {
            try
            {
                return PngReader.Read(data);
            }
            catch (InvalidDataException e)
            {
                throw new MediaException($"'{path}' is not a valid PNG: {e.Message}", e);
            }
        }
        string ffmpeg = VideoFile.RequireFfmpeg(path);
        VideoProbe probe = Ffprobe.Run(VideoFile.RequireFfprobe(path), path, countFrames: false);
        return FfmpegDecoder.Decode(ffmpeg, path, probe.Width, probe.Height, maxFrames: 1)[0];
    }
}
