namespace Kinema.Responsibility.Watermark;

/// <summary>
/// A detection result. <see cref="Found"/> needs both a decoded payload whose CRC-32 matches and a sync
/// score well above what unmarked video gives. <see cref="SyncScore"/> is in standard deviations of the
/// sync correlation over all tile shifts; unmarked video stays below about 4.
/// </summary>
public sealed record WatermarkDetection(bool Found, ulong? Payload, double SyncScore, double Scale, int FramesUsed)
{
    /// <summary>
    /// Above this sync score the pattern is probably there even when the payload fails its CRC (seen on
    /// pixel-noise content); below it, nothing can be said. Unmarked test videos stayed under 4.
    /// </summary>
    public const double ProbableSyncScore = 5.5;

    public string? PayloadHex => Payload is { } p ? WatermarkCodec.ToHex(p) : null;
}
