namespace Kinema.Responsibility.C2pa;

/// <summary>
/// What <see cref="ContentCredentialsReader"/> found. <see cref="IsValid"/> means the manifest is intact
/// and bound to these exact bytes (signature, every hashed assertion and the hard binding check out);
/// <see cref="IsTrusted"/> additionally means the signer chains to a root the caller trusts.
/// </summary>
public sealed record CredentialsReport
{
    public bool Present { get; init; }
    public bool SignatureValid { get; init; }
    public bool AssertionsIntact { get; init; }
    public bool HardBindingValid { get; init; }
    public bool IsTrusted { get; init; }
    public bool IsValid => Present && SignatureValid && AssertionsIntact && HardBindingValid;

    public string? ManifestLabel { get; init; }
    public string? ClaimGenerator { get; init; }
    public string? Signer { get; init; }
    public string? Issuer { get; init; }
    public string? DigitalSourceType { get; init; }
    public string? VideoId { get; init; }
    public string? Model { get; init; }
    public string? PromptSha256 { get; init; }
    public string? WatermarkPayload { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Each check that failed, in words.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public static CredentialsReport None { get; } = new();
}
