namespace Kinema.Responsibility.Publishing;

/// <summary>What an output is: recorded (the prompt only as a hash) in its Content Credentials.</summary>
public sealed record ProvenanceInfo
{
    /// <summary>The output's id; its SHA-256 gives the 64-bit watermark payload.</summary>
    public required string VideoId { get; init; }
    public required string Model { get; init; }
    public required string Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// An id that is a function of the request ("vid_" and 24 hex digits of SHA-256 of its canonical text):
    /// the same model, prompt, seed and settings give the same frames, so they also get the same id and
    /// watermark, which keeps Kinema's "same seed, identical frames" promise.
    /// </summary>
    public static string IdFor(string canonicalRequest) =>
        "vid_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonicalRequest)).AsSpan(0, 12));

    /// <summary>A fresh random id ("vid_" and 24 hex digits) for outputs that have none.</summary>
    public static string NewVideoId() => "vid_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}
