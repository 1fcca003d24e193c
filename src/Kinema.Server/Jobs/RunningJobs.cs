namespace Kinema.Server.Jobs;

/// <summary>
/// Cancellation handles of running jobs. Claiming a job and registering its handle happen under the same
/// lock as a delete's lookup, so a delete can never slip between the two and miss a job that just started.
/// </summary>
public sealed class RunningJobs
{
    private readonly object _gate = new();
    private readonly Dictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    /// <summary>Claims a job with <paramref name="claim"/> and, if there was one, registers a cancellation source linked to <paramref name="stopping"/>.</summary>
    public (VideoJob Job, CancellationTokenSource Cancellation)? Claim(Func<VideoJob?> claim, CancellationToken stopping)
    {
        lock (_gate)
        {
            var job = claim();
            if (job is null) return null;
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _running[job.Id] = cancellation;
            return (job, cancellation);
        }
    }

    /// <summary>Runs <paramref name="delete"/> and cancels the job if it was running.</summary>
    public T DeleteAndCancel<T>(string id, Func<T> delete)
    {
        lock (_gate)
        {
            var result = delete();
            if (_running.TryGetValue(id, out var cancellation)) cancellation.Cancel();
            return result;
        }
    }

    public void Release(string id)
    {
        lock (_gate)
        {
            if (_running.Remove(id, out var cancellation)) cancellation.Dispose();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate) return _running.Count;
        }
    }
}
