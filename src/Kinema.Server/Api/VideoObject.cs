using Kinema.Server.Jobs;

namespace Kinema.Server.Api;

public sealed record VideoError(string Code, string Message);

/// <summary>OpenAI's video object, field for field (all present, nulls included).</summary>
public sealed record VideoObject(
    string Id,
    string Object,
    string Model,
    string Status,
    int Progress,
    long CreatedAt,
    long? CompletedAt,
    long? ExpiresAt,
    string? Prompt,
    string Size,
    string Seconds,
    string? RemixedFromVideoId,
    VideoError? Error)
{
    /// <summary>The wire form of a job; <paramref name="liveProgress"/> (from the progress board) wins over the stored value while it runs.</summary>
    public static VideoObject From(VideoJob job, int? liveProgress = null) => new(
        job.Id,
        "video",
        job.Model,
        job.Status.ToWire(),
        job.Status switch
        {
            VideoStatus.Completed => 100,
            VideoStatus.InProgress => Math.Max(job.Progress, liveProgress ?? 0),
            _ => job.Progress,
        },
        job.CreatedAt,
        job.CompletedAt,
        job.ExpiresAt,
        job.Prompt,
        job.Size,
        job.Seconds,
        job.RemixedFromVideoId,
        job.ErrorCode is null ? null : new VideoError(job.ErrorCode, job.ErrorMessage ?? job.ErrorCode));
}

public sealed record VideoList(string Object, IReadOnlyList<VideoObject> Data, string? FirstId, string? LastId, bool HasMore);

public sealed record VideoDeleted(string Id, string Object, bool Deleted);

/// <summary>OpenAI's character object; Kinema's addition is <see cref="KinemaAppearance"/> (null for characters stored before appearances existed).</summary>
public sealed record CharacterObject(string Id, string Name, long CreatedAt, KinemaCharacterAppearance? KinemaAppearance = null);

/// <summary>What Kinema read from the reference clip, and the description prompts get in place of the name.</summary>
public sealed record KinemaCharacterAppearance(string Description, string Color, string? Shape, string Size);
