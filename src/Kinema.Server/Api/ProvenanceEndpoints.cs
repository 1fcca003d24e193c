using Kinema.Responsibility.Publishing;
using Kinema.Responsibility.Watermark;
using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>What the server knows about one of its outputs; the prompt only as its SHA-256, as in the Content Credentials.</summary>
public sealed record ProvenanceRecord(
    string Object,
    string Id,
    string Model,
    string Status,
    string Kind,
    long CreatedAt,
    long? CompletedAt,
    long? ExpiresAt,
    string PromptSha256,
    string? NegativePromptSha256,
    string? RemixedFromVideoId,
    string? SourceVideoId,
    string WatermarkScheme,
    string? WatermarkPayload,
    bool ContentCredentials);

/// <summary>
/// <c>GET /v1/provenance/{id-or-payload}</c>, the lookup behind <c>kinema verify FILE --server URL</c>: the
/// key is a video or image id (from a file's Content Credentials) or the 16-hex-digit watermark payload (when only
/// the pixels survived). Ownership works as for /v1/videos: with API keys a caller sees only its own
/// videos (anything else is 404, indistinguishable from unknown); without keys it is open.
/// </summary>
public static class ProvenanceEndpoints
{
    public const string ObjectName = "video.provenance";

    public static void Map(RouteGroupBuilder v1) => v1.MapGet("/provenance/{key}", Get);

    private static IResult Get(HttpContext context, string key, VideoStore store)
    {
        string owner = context.Owner();
        VideoJob? job = null;
        if (Ids.LooksValid(key, "video") || Ids.LooksValid(key, ImageEndpoints.IdPrefix)) job = store.Get(key, owner);
        else if (IsPayload(key)) job = store.GetByWatermark(key.ToLowerInvariant(), owner);
        if (job is null) throw new ApiException(404, $"no video of yours has id or watermark payload '{Shorten(key)}'", null, "not_found");
        return Results.Json(From(job), ServerJson.Options);
    }

    public static ProvenanceRecord From(VideoJob job) => new(
        ObjectName,
        job.Id,
        job.Model,
        job.Status.ToWire(),
        job.Kind.ToWire(),
        job.CreatedAt,
        job.CompletedAt,
        job.ExpiresAt,
        ProvenancePublisher.Sha256Hex(job.Prompt ?? ""),
        string.IsNullOrEmpty(job.Parameters.NegativePrompt) ? null : ProvenancePublisher.Sha256Hex(job.Parameters.NegativePrompt),
        job.RemixedFromVideoId,
        job.SourceVideoId,
        WatermarkCodec.SchemeName,
        // Set when the signed, watermarked output is written; null before that, and for videos finished
        // by a server older than the provenance layer (their files carry neither mark).
        job.WatermarkPayload,
        job.WatermarkPayload is not null);

    private static bool IsPayload(string key) => key.Length == 16 && key.All(Uri.IsHexDigit);

    private static string Shorten(string key) => key.Length <= 80 ? key : key[..80] + "...";
}
