using System.Security.Cryptography.X509Certificates;
using Kinema.Media;
using Kinema.Responsibility.C2pa;
using Kinema.Responsibility.Watermark;

namespace Kinema.Responsibility.Verification;

/// <summary>
/// Checks a file for Kinema provenance: C2PA Content Credentials (read and validated by this
/// library's own reader, see <see cref="ContentCredentialsReader"/>) and the invisible watermark
/// (decoded frames, key only). Works on MP4 and PNG with credentials, and on anything ffmpeg can
/// decode for the watermark (re-encoded, resized, cropped or trimmed copies included).
/// </summary>
public static class Verifier
{
    /// <summary>
    /// Verifies <paramref name="path"/>. Throws <see cref="FileNotFoundException"/> when it does not exist
    /// and <see cref="MediaException"/> when it is neither carrying credentials nor decodable media.
    /// </summary>
    public static VerificationReport Verify(string path, WatermarkKey key, IReadOnlyCollection<X509Certificate2>? trustAnchors = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(key);
        if (Directory.Exists(path)) throw new ArgumentException($"'{path}' is a folder, not a media file");
        if (!File.Exists(path)) throw new FileNotFoundException($"file not found: '{Path.GetFullPath(path)}'", path);
        byte[] bytes = File.ReadAllBytes(path);

        CredentialsReport credentials;
        try
        {
            credentials = ContentCredentialsReader.Read(bytes, trustAnchors);
        }
        catch (InvalidDataException e)
        {
            credentials = new CredentialsReport { Present = false, Problems = [$"the file's structure could not be read: {e.Message}"] };
        }

        WatermarkDetection? watermark = null;
        string? watermarkError = null;
        try
        {
            IReadOnlyList<RgbFrame> frames = PngContainer.HasSignature(bytes) ? [ImageFile.Read(path)] : VideoFile.Read(path).Frames;
            watermark = WatermarkDetector.Detect(frames, key);
        }
        catch (MediaException e) when (credentials.Present)
        {
            watermarkError = e.Message;
        }
        return new VerificationReport(path, credentials, watermark, watermarkError);
    }
}
