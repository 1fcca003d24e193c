using Kinema.Media;

namespace Kinema.Server.Api;

/// <summary>
/// Uploaded images and videos: recognised by their first bytes (never by the client's file name or
/// content type), stored in the job's input folder under a name of ours, and decoded once before the job
/// is accepted, so a bad upload is a 400 now rather than a failed job later.
/// </summary>
public sealed class Uploads(ServerOptions options)
{
    /// <summary>OpenAI's limit for an input image, also applied to data URLs.</summary>
    public const long MaxImageBytes = 20L * 1024 * 1024;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };

    public sealed record StoredImage(string FileName, RgbFrame Frame);

    public sealed record StoredVideo(string FileName, VideoProbe Probe);

    public static string? ImageExtension(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])) return ".png";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return ".jpg";
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return ".webp";
        return null;
    }

    public static string? VideoExtension(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8)) return head[8..12].SequenceEqual("qt  "u8) ? ".mov" : ".mp4";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return ".webm";
        if (head.StartsWith("GIF8"u8)) return ".gif";
        return null;
    }

    public async Task<byte[]> ReadAll(IFormFile file, string param, long limit, CancellationToken cancellation)
    {
        limit = Math.Min(limit, options.MaxUploadBytes);
        if (file.Length == 0) throw ApiException.BadRequest($"the '{param}' upload is empty", param, "empty_file");
        if (file.Length > limit)
            throw new ApiException(413, $"the '{param}' upload is {ErrorResponses.FormatBytes(file.Length)}; at most {ErrorResponses.FormatBytes(limit)} is accepted", param, "file_too_large");
        using var stream = file.OpenReadStream();
        using var buffer = new MemoryStream((int)file.Length);
        await stream.CopyToAsync(buffer, cancellation);
        return buffer.ToArray();
    }

    /// <summary>Stores an image (PNG, JPEG or WebP) as <c>folder/NAME.ext</c> and decodes it.</summary>
    public StoredImage SaveImage(byte[] bytes, string param, string folder, string name)
    {
        string extension = ImageExtension(bytes) ?? throw ApiException.BadRequest(
            $"'{param}' must be a PNG, JPEG or WebP image; the upload is none of these", param, "invalid_image_format");
        Directory.CreateDirectory(folder);
        string fileName = name + extension;
        string path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, bytes);
        try
        {
            return new StoredImage(fileName, ImageFile.Read(path));
        }
        catch (MediaException e)
        {
            throw ApiException.BadRequest($"'{param}' could not be decoded as an image: {e.Message}", param, "invalid_image");
        }
    }

    /// <summary>Stores a video (MP4, MOV, WebM or GIF) as <c>folder/NAME.ext</c> and probes it.</summary>
    public StoredVideo SaveVideo(byte[] bytes, string param, string folder, string name)
    {
        string extension = VideoExtension(bytes) ?? throw ApiException.BadRequest(
            $"'{param}' must be a video (MP4, MOV, WebM or GIF); the upload is none of these", param, "invalid_video_format");
        Directory.CreateDirectory(folder);
        string fileName = name + extension;
        string path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, bytes);
        return new StoredVideo(fileName, ProbeVideo(path, param));
    }

    public static VideoProbe ProbeVideo(string path, string param)
    {
        try
        {
            var probe = VideoFile.Probe(path);
            if (probe.FrameCount < 1 || probe.Fps <= 0) throw ApiException.BadRequest($"'{param}' has no video frames", param, "invalid_video");
            return probe;
        }
        catch (MediaException e)
        {
            throw ApiException.BadRequest($"'{param}' could not be read as a video: {e.Message}", param, "invalid_video");
        }
    }

    /// <summary>
    /// The bytes behind <c>{"image_url": …}</c>: a base64 data URL, or an http(s) URL fetched with the
    /// same size limit as uploads.
    /// </summary>
    public async Task<byte[]> FetchImageUrl(string url, string param, CancellationToken cancellation)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            int comma = url.IndexOf(',');
            if (comma < 0 || !url[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                throw ApiException.BadRequest($"'{param}' data URL must be base64 encoded (data:image/png;base64,…)", param, "invalid_image_url");
            if ((url.Length - comma) * 3L / 4 > MaxImageBytes)
                throw new ApiException(413, $"'{param}' image is larger than {ErrorResponses.FormatBytes(MaxImageBytes)}", param, "file_too_large");
            try
            {
                return Convert.FromBase64String(url[(comma + 1)..]);
            }
            catch (FormatException)
            {
                throw ApiException.BadRequest($"'{param}' data URL is not valid base64", param, "invalid_image_url");
            }
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw ApiException.BadRequest($"'{param}' must be an http(s) URL or a base64 data URL", param, "invalid_image_url");
        try
        {
            using var response = await Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (!response.IsSuccessStatusCode)
                throw ApiException.BadRequest($"fetching '{param}' returned HTTP {(int)response.StatusCode}", param, "image_url_unreachable");
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellation)) > 0)
            {
                if (buffer.Length + read > MaxImageBytes)
                    throw new ApiException(413, $"'{param}' image is larger than {ErrorResponses.FormatBytes(MaxImageBytes)}", param, "file_too_large");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            throw ApiException.BadRequest($"could not fetch '{param}': {e.Message}", param, "image_url_unreachable");
        }
    }
}
