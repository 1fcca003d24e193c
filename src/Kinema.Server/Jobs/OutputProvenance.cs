using Kinema.Responsibility.C2pa;
using Kinema.Responsibility.Publishing;
using Kinema.Responsibility.Watermark;

namespace Kinema.Server.Jobs;

/// <summary>
/// How the server marks its outputs: the operator's watermark key and signing identity, resolved the
/// way the CLI resolves them (<c>KINEMA_SIGNING_CERT</c>/<c>KINEMA_SIGNING_KEY</c>, else the signing
/// folder <c>KINEMA_SIGNING_DIR</c> or <c>~/.config/kinema/signing</c>, created on first use;
/// <c>KINEMA_WATERMARK_KEY</c>, else <c>watermark.key</c> in that folder), so <c>kinema verify</c> run
/// by the same operator confirms the server's videos. Checked once at startup, so a server that answers
/// is one that can sign.
/// </summary>
public sealed class OutputProvenance
{
    private OutputProvenance(WatermarkKey key, bool visibleMark, string signer, string signingSource)
    {
        WatermarkKey = key;
        VisibleMark = visibleMark;
        Signer = signer;
        SigningSource = signingSource;
    }

    public WatermarkKey WatermarkKey { get; }

    public bool VisibleMark { get; }

    /// <summary>The signing certificate's subject, for the startup log.</summary>
    public string Signer { get; }

    /// <summary>Where the signing identity came from (folder or files), for the startup log.</summary>
    public string SigningSource { get; }

    public static OutputProvenance Load(ServerOptions options)
    {
        // Resolving creates the folder, the local CA, the signer and the watermark key when absent.
        using var credentials = SigningKeyStore.Resolve();
        var key = WatermarkKey.Resolve(SigningKeyStore.DefaultFolder());
        return new OutputProvenance(key, options.VisibleMark, credentials.Chain[0].Subject, credentials.Source);
    }

    /// <summary>
    /// Options for one output. The credentials are left to the publisher, which loads them per output:
    /// no ECDSA key object is shared between workers, and a renewed certificate is used without a restart.
    /// </summary>
    public ProvenanceOptions Options(string? comment) => new() { WatermarkKey = WatermarkKey, VisibleMark = VisibleMark, Comment = comment };
}
