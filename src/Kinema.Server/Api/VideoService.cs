using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>What the video endpoints share: looking up a caller's job with live progress, and queueing new ones.</summary>
public sealed class VideoService(VideoStore store, ProgressBoard board, RunningJobs running, JobSignal signal, OutputWriter outputs, ServedModel model, TimeProvider time)
{
    public ServedModel Model => model;

    public long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    public VideoJob Find(string id, string owner)
    {
        if (!Ids.LooksValid(id, "video")) throw ApiException.NotFound("video", id);
        return store.Get(id, owner) ?? throw ApiException.NotFound("video", id);
    }

    public VideoObject ToObject(VideoJob job) => VideoObject.From(job, board.Get(job.Id));

    /// <summary>A finished source for remix, edit or extend.</summary>
    public VideoJob FindCompletedSource(string id, string owner, string param)
    {
        if (!Ids.LooksValid(id, "video") || store.Get(id, owner) is not { } source)
            throw new ApiException(404, $"video '{id}' was not found", param, "not_found");
        if (source.Status != VideoStatus.Completed)
            throw ApiException.BadRequest($"video '{id}' is {source.Status.ToWire()}; only completed videos can be used as a source", param, "video_not_ready");
        if (source.AssetsDeleted || source.ExpiresAt <= Now())
            throw new ApiException(410, $"video '{id}' has expired and its files were deleted", param, "video_expired");
        return source;
    }

    /// <summary>
    /// Queues a job of the caller's for <paramref name="resolved"/> settings (size and seconds as the video object reports
    /// them unless given) and answers with its video object: what every generating route does once its inputs are checked.
    /// </summary>
    public IResult Queue(HttpContext context, string id, JobKind kind, string prompt, Pipelines.ResolvedVideoRequest resolved, JobParameters parameters,
        double? seconds = null, string? size = null, string? sourceVideoId = null, string? remixedFromVideoId = null)
        => Results.Json(ToObject(Add(context, id, kind, prompt, resolved, parameters, seconds, size, sourceVideoId, remixedFromVideoId)), ServerJson.Options);

    /// <summary>Queues a job of the caller's as <see cref="Queue"/> does and returns it, for a route that answers otherwise (images wait for theirs).</summary>
    public VideoJob Add(HttpContext context, string id, JobKind kind, string prompt, Pipelines.ResolvedVideoRequest resolved, JobParameters parameters,
        double? seconds = null, string? size = null, string? sourceVideoId = null, string? remixedFromVideoId = null)
        => Enqueue(new VideoJob
        {
            Id = id,
            Owner = context.Owner(),
            Kind = kind,
            Model = model.Name,
            Prompt = prompt,
            Size = size ?? GenerationFields.SizeText(resolved.Width, resolved.Height),
            Seconds = SecondsText.Format(seconds ?? resolved.Seconds),
            SourceVideoId = sourceVideoId,
            RemixedFromVideoId = remixedFromVideoId,
            Parameters = parameters,
            CreatedAt = Now(),
        });

    private VideoJob Enqueue(VideoJob job)
    {
        store.Insert(job);
        signal.Notify();
        return job;
    }

    /// <summary>Deletes the job whatever its state: a queued one never runs, a running one is cancelled, files go with it.</summary>
    public VideoJob Delete(string id, string owner)
    {
        if (!Ids.LooksValid(id, "video")) throw ApiException.NotFound("video", id);
        return Discard(id, owner) ?? throw ApiException.NotFound("video", id);
    }

    /// <summary>Deletes any job of the owner's (a video, or an image whose request went away); null when there is none.</summary>
    public VideoJob? Discard(string id, string owner)
    {
        var deleted = running.DeleteAndCancel(id, () => store.Delete(id, owner));
        if (deleted is null) return null;
        outputs.Discard(id);
        board.Clear(id);
        return deleted;
    }

    /// <summary>The owner's job as stored now, without a prefix check (the image endpoint polls its own jobs with it).</summary>
    public VideoJob? Current(string id, string owner) => store.Get(id, owner);
}
