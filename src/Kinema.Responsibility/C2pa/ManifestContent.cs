namespace Kinema.Responsibility.C2pa;

/// <summary>
/// What a Kinema manifest asserts about one output. The prompt itself is never stored: only its
/// SHA-256, so the credential proves which prompt was used to anyone who has it without revealing
/// it to anyone who has only the file.
/// </summary>
public sealed record ManifestContent
{
    /// <summary>The output's identifier (also the watermark payload's source).</summary>
    public required string VideoId { get; init; }

    public required string Model { get; init; }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 prompt.</summary>
    public required string PromptSha256 { get; init; }

    public string? NegativePromptSha256 { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Generator name and version written as claim_generator_info and the action's softwareAgent.</summary>
    public string GeneratorName { get; init; } = "Kinema";

    public string GeneratorVersion { get; init; } = ProvenanceVersion.Current;

    /// <summary>The 64-bit watermark payload embedded in the pixels, as 16 hex digits, if any.</summary>
    public string? WatermarkPayload { get; init; }

    /// <summary>MIME type of the asset (video/mp4 or image/png), stored as the asset's format.</summary>
    public required string Format { get; init; }
}

/// <summary>The version string Kinema writes into credentials (the assembly's informational version).</summary>
public static class ProvenanceVersion
{
    public static string Current { get; } =
        (typeof(ProvenanceVersion).Assembly.GetName().Version ?? new Version(0, 1, 0)).ToString(3);
}
