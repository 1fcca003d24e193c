namespace Kinema.Server;

/// <summary>Everything `kinema serve` can be told; defaults suit a single-user machine.</summary>
public sealed record ServerOptions
{
    /// <summary>Model folder to serve.</summary>
    public required string ModelFolder { get; init; }

    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Interface to listen on; null means loopback without API keys and every interface with them.</summary>
    public string? Host { get; init; }

    /// <summary>TCP port; 0 picks a free one (see <see cref="KinemaServerHost.Addresses"/>).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>Where jobs (SQLite), inputs and outputs live; survives restarts.</summary>
    public string DataFolder { get; init; } = "kinema-data";

    /// <summary>Concurrent generations; each worker holds its own copy of the model.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>File of bearer keys, one per line; null serves without authentication.</summary>
    public string? ApiKeysFile { get; init; }

    /// <summary>How long finished videos can be downloaded before their files are deleted.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>URLs that receive video.completed / video.failed events.</summary>
    public IReadOnlyList<string> WebhookUrls { get; init; } = [];

    /// <summary>Standard Webhooks secret (whsec_BASE64); null generates one and keeps it in the data folder.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Delay before the first webhook retry; each later retry waits five times longer.</summary>
    public TimeSpan WebhookFirstRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest request body (uploads included), in bytes.</summary>
    public long MaxUploadBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Write logs as one JSON object per line instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Intra-op threads per worker for libtorch; null leaves libtorch's default.</summary>
    public int? TorchThreads { get; init; }

    /// <summary>Content policy file (JSON, see docs/responsibility.md); null: <c>KINEMA_POLICY</c>, else the shipped default.</summary>
    public string? PolicyFile { get; init; }

    /// <summary>Stamp a visible "AI-GENERATED" label on every frame of every output (the invisible watermark and Content Credentials are always on).</summary>
    public bool VisibleMark { get; init; }
}
