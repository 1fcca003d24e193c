using System.Security.Cryptography;
using System.Text;
using Kinema.Media;
using Kinema.Responsibility.C2pa;
using Kinema.Responsibility.Watermark;

namespace Kinema.Responsibility.Publishing;

/// <summary>
/// The one way Kinema writes an output, so every output path (CLI, library, server) carries the same
/// provenance: optional visible mark, then the invisible watermark in the pixels, then encoding, then
/// C2PA Content Credentials signed over the final bytes (signing last, because any remux would break
/// the hash binding). The file appears atomically: written and signed under a temporary name, then
/// renamed into place.
/// </summary>
public static class ProvenancePublisher
{
    /// <summary>Writes a video (MP4; GIF when ffmpeg is absent or asked for) with watermark and Content Credentials.</summary>
    public static PublishedOutput WriteVideo(string path, IEnumerable<RgbFrame> frames, double fps, ProvenanceInfo info, ProvenanceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(info);
        options ??= new ProvenanceOptions();
        string folder = SigningKeyStore.DefaultFolder();
        WatermarkKey key = options.WatermarkKey ?? WatermarkKey.Resolve(folder);
        ulong payload = WatermarkCodec.PayloadFor(info.VideoId);

        IEnumerable<RgbFrame> marked = options.VisibleMark ? VisibleMark.Apply(frames) : frames;
        marked = WatermarkEmbedder.Embed(marked, payload, key, options.WatermarkStrength);

        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileNameWithoutExtension(fullPath)}.unsigned-{Guid.NewGuid():N}{Path.GetExtension(fullPath)}");
        try
        {
            var written = VideoFile.Write(temp, marked, new VideoWriteOptions { Fps = fps, Comment = options.Comment, Crf = options.Crf });
            string target = written.Path == temp ? fullPath : Path.ChangeExtension(fullPath, Path.GetExtension(written.Path));
            if (written.Format != VideoContainer.Mp4)
            {
                File.Move(written.Path, target, overwrite: true);
                string notice = "Content Credentials cannot be embedded in GIF (C2PA defines no GIF embedding); the invisible watermark is present";
                return new PublishedOutput(target, info.VideoId, WatermarkCodec.ToHex(payload), false, written.Notice is null ? notice : $"{written.Notice}; {notice}");
            }
            SignInPlace(written.Path, target, info, payload, options, "video/mp4");
            return new PublishedOutput(target, info.VideoId, WatermarkCodec.ToHex(payload), true, written.Notice);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Writes a PNG with watermark and Content Credentials (caBX chunk).</summary>
    public static PublishedOutput WriteImage(string path, RgbFrame frame, ProvenanceInfo info, ProvenanceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(info);
        if (!Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{path}': images with Content Credentials are written as PNG (.png)", nameof(path));
        options ??= new ProvenanceOptions();
        WatermarkKey key = options.WatermarkKey ?? WatermarkKey.Resolve(SigningKeyStore.DefaultFolder());
        ulong payload = WatermarkCodec.PayloadFor(info.VideoId);
        RgbFrame marked = options.VisibleMark ? VisibleMark.Stamp(frame) : frame;
        marked = WatermarkEmbedder.Embed([marked], payload, key, options.WatermarkStrength).Single();

        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileNameWithoutExtension(fullPath)}.unsigned-{Guid.NewGuid():N}.png");
        try
        {
            ImageFile.WritePng(temp, marked);
            SignInPlace(temp, fullPath, info, payload, options, "image/png");
            return new PublishedOutput(fullPath, info.VideoId, WatermarkCodec.ToHex(payload), true, null);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 text (how prompts appear in credentials).</summary>
    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static void SignInPlace(string unsigned, string target, ProvenanceInfo info, ulong payload, ProvenanceOptions options, string format)
    {
        var content = new ManifestContent
        {
            VideoId = info.VideoId,
            Model = info.Model,
            PromptSha256 = Sha256Hex(info.Prompt),
            NegativePromptSha256 = string.IsNullOrEmpty(info.NegativePrompt) ? null : Sha256Hex(info.NegativePrompt),
            CreatedAt = info.CreatedAt,
            WatermarkPayload = WatermarkCodec.ToHex(payload),
            Format = format,
        };
        byte[] signed;
        if (options.Credentials is { } credentials) signed = ContentCredentials.Embed(File.ReadAllBytes(unsigned), content, credentials);
        else
        {
            using var resolved = SigningKeyStore.Resolve();
            signed = ContentCredentials.Embed(File.ReadAllBytes(unsigned), content, resolved);
        }
        string staging = unsigned + ".signed";
        File.WriteAllBytes(staging, signed);
        File.Move(staging, target, overwrite: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
            if (File.Exists(path + ".signed")) File.Delete(path + ".signed");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
