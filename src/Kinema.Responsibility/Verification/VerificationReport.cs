using Kinema.Responsibility.C2pa;
using Kinema.Responsibility.Watermark;

namespace Kinema.Responsibility.Verification;

/// <summary>
/// What <see cref="Verifier"/> found in a file. Provenance is confirmed when valid Content Credentials
/// or Kinema's watermark are found: either alone is evidence, since metadata is easily stripped while
/// pixels survive, and pixels can be degraded while the signed file stays intact.
/// </summary>
public sealed record VerificationReport(string Path, CredentialsReport Credentials, WatermarkDetection? Watermark, string? WatermarkError)
{
    public bool ProvenanceConfirmed => Credentials.IsValid || Watermark is { Found: true };

    /// <summary>True when both are present and the manifest names the payload the pixels carry.</summary>
    public bool Consistent => Credentials.WatermarkPayload is { } expected && Watermark?.PayloadHex == expected;
}
