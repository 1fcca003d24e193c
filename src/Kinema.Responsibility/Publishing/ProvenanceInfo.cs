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

    /// <summary>A fresh random id ("vid_" and 24 hex digits) for outputs that have none.</summary>
    public static string NewVideoId() => "vid_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}
