namespace Kinema.Responsibility.Publishing;

/// <summary>
/// A written output. <see cref="ContentCredentials"/> is false only for GIF (C2PA defines no GIF
/// embedding), in which case <see cref="Notice"/> says so; the watermark is always present.
/// </summary>
public sealed record PublishedOutput(string Path, string VideoId, string WatermarkPayload, bool ContentCredentials, string? Notice);
