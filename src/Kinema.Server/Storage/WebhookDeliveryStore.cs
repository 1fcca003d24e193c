namespace Kinema.Server.Storage;

public sealed record WebhookDelivery(long Seq, string EventId, string Url, string Body, int Attempts);

/// <summary>
/// The webhook outbox: one row per (event, URL), written when a job finishes and worked off by the
/// dispatcher, so deliveries survive restarts and a slow receiver never holds up a worker.
/// </summary>
public sealed class WebhookDeliveryStore(Database database)
{
    public void Enqueue(string eventId, IEnumerable<string> urls, string body, long now)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        using var transaction = connection.BeginTransaction();
        foreach (var url in urls)
            Database.Execute(connection, "INSERT INTO webhook_deliveries (event_id, url, body, next_attempt_at, state) VALUES ($event, $url, $body, $now, 'pending')", transaction,
                ("$event", eventId), ("$url", url), ("$body", body), ("$now", now));
        transaction.Commit();
    }

    public IReadOnlyList<WebhookDelivery> Due(long now, int limit)
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT seq, event_id, url, body, attempts FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $now ORDER BY next_attempt_at, seq LIMIT $limit", null,
            ("$now", now), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var due = new List<WebhookDelivery>();
        while (reader.Read()) due.Add(new WebhookDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        return due;
    }

    /// <summary>Seconds until the next pending delivery is due, or null when none is pending.</summary>
    public long? NextDueAt()
    {
        using var connection = database.Open();
        return (long?)Database.Scalar(connection, "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'");
    }

    public void MarkDelivered(long seq, int attempts)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "UPDATE webhook_deliveries SET state = 'delivered', attempts = $a, last_error = NULL WHERE seq = $seq", null, ("$seq", seq), ("$a", attempts));
    }

    public void Reschedule(long seq, int attempts, long nextAttemptAt, string error)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "UPDATE webhook_deliveries SET attempts = $a, next_attempt_at = $next, last_error = $error WHERE seq = $seq", null,
            ("$seq", seq), ("$a", attempts), ("$next", nextAttemptAt), ("$error", error));
    }

    public void Abandon(long seq, int attempts, string error)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "UPDATE webhook_deliveries SET state = 'failed', attempts = $a, last_error = $error WHERE seq = $seq", null,
            ("$seq", seq), ("$a", attempts), ("$error", error));
    }

    public IReadOnlyDictionary<string, long> CountByState()
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT state, COUNT(*) FROM webhook_deliveries GROUP BY state", null);
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long> { ["pending"] = 0, ["delivered"] = 0, ["failed"] = 0 };
        while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }
}
