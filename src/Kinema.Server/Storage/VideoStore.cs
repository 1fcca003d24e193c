using System.Text.Json;
using Kinema.Server.Jobs;
using Microsoft.Data.Sqlite;

namespace Kinema.Server.Storage;

/// <summary>A page of a cursor list.</summary>
public sealed record VideoPage(IReadOnlyList<VideoJob> Items, bool HasMore);

/// <summary>
/// Video jobs in SQLite. The table is the queue: workers claim the oldest queued row in one UPDATE (image jobs
/// first, because an HTTP request is waiting for each), so a job is claimed once even with several workers, and a crash leaves it in_progress for
/// <see cref="RequeueInterrupted"/> to hand back on the next start.
/// </summary>
public sealed class VideoStore(Database database)
{
    private const string Columns = "id, owner, kind, status, progress, model, prompt, size, seconds, remixed_from_video_id, source_video_id, parameters, error_code, error_message, created_at, started_at, completed_at, expires_at, generation_seconds, assets_deleted, watermark_payload";

    public void Insert(VideoJob job)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, $"INSERT INTO videos ({Columns}) VALUES ($id, $owner, $kind, $status, $progress, $model, $prompt, $size, $seconds, $remixed, $source, $parameters, $error_code, $error_message, $created, $started, $completed, $expires, $gen, $deleted, $watermark)", null,
            ("$id", job.Id), ("$owner", job.Owner), ("$kind", job.Kind.ToWire()), ("$status", job.Status.ToWire()), ("$progress", job.Progress),
            ("$model", job.Model), ("$prompt", job.Prompt), ("$size", job.Size), ("$seconds", job.Seconds), ("$remixed", job.RemixedFromVideoId),
            ("$source", job.SourceVideoId), ("$parameters", JsonSerializer.Serialize(job.Parameters, ServerJson.Options)),
            ("$error_code", job.ErrorCode), ("$error_message", job.ErrorMessage), ("$created", job.CreatedAt), ("$started", job.StartedAt),
            ("$completed", job.CompletedAt), ("$expires", job.ExpiresAt), ("$gen", job.GenerationSeconds), ("$deleted", job.AssetsDeleted ? 1 : 0),
            ("$watermark", job.WatermarkPayload));
    }

    /// <summary>The job, or null when it does not exist or belongs to another owner (the two are indistinguishable on purpose).</summary>
    public VideoJob? Get(string id, string owner)
    {
        using var connection = database.Open();
        return QuerySingle(connection, $"SELECT {Columns} FROM videos WHERE id = $id AND owner = $owner", ("$id", id), ("$owner", owner));
    }

    public VideoJob? GetAnyOwner(string id)
    {
        using var connection = database.Open();
        return QuerySingle(connection, $"SELECT {Columns} FROM videos WHERE id = $id", ("$id", id));
    }

    /// <summary>
    /// One page of videos in creation order (<paramref name="descending"/>: newest first), starting after the job
    /// <paramref name="after"/>; returns null when that cursor is not one of the owner's videos. Image jobs are not videos
    /// and are left out (their images were returned with the request).
    /// </summary>
    public VideoPage? List(string owner, string? after, int limit, bool descending)
    {
        using var connection = database.Open();
        long? cursor = null;
        if (after is not null)
        {
            cursor = (long?)Database.Scalar(connection, "SELECT seq FROM videos WHERE id = $id AND owner = $owner AND kind <> $image", ("$id", after), ("$owner", owner), ("$image", JobKind.Image.ToWire()));
            if (cursor is null) return null;
        }
        string comparison = descending ? "<" : ">";
        string where = cursor is null ? "owner = $owner" : $"owner = $owner AND seq {comparison} $cursor";
        var rows = Query(connection, $"SELECT {Columns} FROM videos WHERE {where} AND kind <> $image ORDER BY seq {(descending ? "DESC" : "ASC")} LIMIT $limit",
            ("$owner", owner), ("$cursor", cursor), ("$limit", limit + 1), ("$image", JobKind.Image.ToWire()));
        bool hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new VideoPage(rows, hasMore);
    }

    /// <summary>Atomically moves the oldest queued job to in_progress and returns it; null when the queue is empty.</summary>
    public VideoJob? ClaimNext(long now)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        return QuerySingle(connection, $"""
            UPDATE videos SET status = 'in_progress', progress = 0, started_at = $now
            WHERE seq = (SELECT seq FROM videos WHERE status = 'queued' ORDER BY kind = $image DESC, seq LIMIT 1) AND status = 'queued'
            RETURNING {Columns}
            """, ("$now", now), ("$image", JobKind.Image.ToWire()));
    }

    /// <summary>
    /// Removes image jobs a previous run left queued or running: their requests waited for them and are gone, so no one
    /// could receive the images. Returns their ids, whose files the caller removes.
    /// </summary>
    public IReadOnlyList<string> RemoveOrphanedImages()
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        var ids = new List<string>();
        using var command = Database.Command(connection, "DELETE FROM videos WHERE kind = $image AND status IN ('queued', 'in_progress') RETURNING id", null,
            ("$image", JobKind.Image.ToWire()));
        using var reader = command.ExecuteReader();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Hands jobs that were running when the process stopped back to the queue; returns how many.</summary>
    public int RequeueInterrupted()
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        return Database.Execute(connection, "UPDATE videos SET status = 'queued', progress = 0, started_at = NULL WHERE status = 'in_progress'");
    }

    public void Requeue(string id)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "UPDATE videos SET status = 'queued', progress = 0, started_at = NULL WHERE id = $id AND status = 'in_progress'", null, ("$id", id));
    }

    public void SaveProgress(string id, int progress)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "UPDATE videos SET progress = $p WHERE id = $id AND status = 'in_progress'", null, ("$id", id), ("$p", progress));
    }

    /// <summary>Marks a running job completed, with the watermark payload its output carries; false when it was deleted meanwhile.</summary>
    public bool Complete(string id, string seconds, long completedAt, long expiresAt, double generationSeconds, string? watermarkPayload)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        return Database.Execute(connection, """
            UPDATE videos SET status = 'completed', progress = 100, seconds = $seconds, completed_at = $done, expires_at = $expires, generation_seconds = $gen,
                watermark_payload = $watermark
            WHERE id = $id AND status = 'in_progress'
            """, null, ("$id", id), ("$seconds", seconds), ("$done", completedAt), ("$expires", expiresAt), ("$gen", generationSeconds),
            ("$watermark", watermarkPayload)) == 1;
    }

    /// <summary>
    /// The owner's job whose output carries <paramref name="payload"/> (16 hex digits); null when none.
    /// Two ids sharing a 64-bit payload are astronomically unlikely; the oldest would win.
    /// </summary>
    public VideoJob? GetByWatermark(string payload, string owner)
    {
        using var connection = database.Open();
        return Query(connection, $"SELECT {Columns} FROM videos WHERE watermark_payload = $payload AND owner = $owner ORDER BY seq LIMIT 1",
            ("$payload", payload), ("$owner", owner)).SingleOrDefault();
    }

    public bool Fail(string id, string code, string message, long completedAt)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        return Database.Execute(connection, """
            UPDATE videos SET status = 'failed', error_code = $code, error_message = $message, completed_at = $done
            WHERE id = $id AND status IN ('queued', 'in_progress')
            """, null, ("$id", id), ("$code", code), ("$message", message), ("$done", completedAt)) == 1;
    }

    /// <summary>Removes the owner's job and returns it as it was; null when there was none.</summary>
    public VideoJob? Delete(string id, string owner)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        return QuerySingle(connection, $"DELETE FROM videos WHERE id = $id AND owner = $owner RETURNING {Columns}", ("$id", id), ("$owner", owner));
    }

    /// <summary>Jobs by status, videos and images (<see cref="JobKind.Image"/>) apart, every status present.</summary>
    public IReadOnlyDictionary<(bool Image, VideoStatus Status), long> CountByStatus()
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT kind = $image, status, COUNT(*) FROM videos GROUP BY kind = $image, status", null,
            ("$image", JobKind.Image.ToWire()));
        using var reader = command.ExecuteReader();
        var counts = new[] { false, true }.SelectMany(image => Enum.GetValues<VideoStatus>().Select(status => (image, status))).ToDictionary(key => key, _ => 0L);
        while (reader.Read()) counts[(reader.GetInt64(0) != 0, JobEnumNames.ParseStatus(reader.GetString(1)))] = reader.GetInt64(2);
        return counts;
    }

    /// <summary>Completed jobs whose download window has closed but whose files are still on disk.</summary>
    public IReadOnlyList<string> ExpiredWithAssets(long now)
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT id FROM videos WHERE expires_at IS NOT NULL AND expires_at <= $now AND assets_deleted = 0", null, ("$now", now));
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    public void MarkAssetsDeleted(string id)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "UPDATE videos SET assets_deleted = 1 WHERE id = $id", null, ("$id", id));
    }

    public IReadOnlyList<string> AllIds()
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT id FROM videos", null);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    private static VideoJob? QuerySingle(SqliteConnection connection, string sql, params (string, object?)[] parameters)
        => Query(connection, sql, parameters).SingleOrDefault();

    private static List<VideoJob> Query(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        using var command = Database.Command(connection, sql, null, parameters);
        using var reader = command.ExecuteReader();
        var jobs = new List<VideoJob>();
        while (reader.Read()) jobs.Add(Read(reader));
        return jobs;
    }

    private static VideoJob Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Owner = r.GetString(1),
        Kind = JobEnumNames.ParseKind(r.GetString(2)),
        Status = JobEnumNames.ParseStatus(r.GetString(3)),
        Progress = r.GetInt32(4),
        Model = r.GetString(5),
        Prompt = r.IsDBNull(6) ? null : r.GetString(6),
        Size = r.GetString(7),
        Seconds = r.GetString(8),
        RemixedFromVideoId = r.IsDBNull(9) ? null : r.GetString(9),
        SourceVideoId = r.IsDBNull(10) ? null : r.GetString(10),
        Parameters = JsonSerializer.Deserialize<JobParameters>(r.GetString(11), ServerJson.Options)
            ?? throw new InvalidDataException($"job {r.GetString(0)} has empty parameters"),
        ErrorCode = r.IsDBNull(12) ? null : r.GetString(12),
        ErrorMessage = r.IsDBNull(13) ? null : r.GetString(13),
        CreatedAt = r.GetInt64(14),
        StartedAt = r.IsDBNull(15) ? null : r.GetInt64(15),
        CompletedAt = r.IsDBNull(16) ? null : r.GetInt64(16),
        ExpiresAt = r.IsDBNull(17) ? null : r.GetInt64(17),
        GenerationSeconds = r.IsDBNull(18) ? null : r.GetDouble(18),
        AssetsDeleted = r.GetInt32(19) != 0,
        WatermarkPayload = r.IsDBNull(20) ? null : r.GetString(20),
    };
}
