using Kinema.Responsibility.C2pa;
using Kinema.Responsibility.Watermark;

namespace Kinema.Responsibility.Publishing;

/// <summary>
/// How outputs are marked. Credentials and key default to the operator's (see
/// <see cref="SigningKeyStore"/> and <see cref="WatermarkKey"/>), created on first use. The visible
/// mark is off unless asked for.
/// </summary>
public sealed record ProvenanceOptions
{
    /// <summary>Signing identity; null: <see cref="SigningKeyStore.Resolve"/>.</summary>
    public SigningCredentials? Credentials { get; init; }

    /// <summary>Watermark key; null: <see cref="WatermarkKey.Resolve"/> in the signing folder.</summary>
    public WatermarkKey? WatermarkKey { get; init; }

    public double WatermarkStrength { get; init; } = WatermarkEmbedder.DefaultStrength;

    /// <summary>Stamp a small "AI-GENERATED" label in the bottom-right corner of every frame.</summary>
    public bool VisibleMark { get; init; }

    /// <summary>Video encoding quality (libx264 CRF) for MP4 outputs.</summary>
    public int Crf { get; init; } = 18;

    /// <summary>Free text for the MP4 comment tag (e.g. generation settings as JSON).</summary>
    public string? Comment { get; init; }
}
