using System.Collections.Concurrent;
using Kinema.Pipelines;

namespace Kinema.Server.Jobs;

/// <summary>
/// Live progress of running jobs, in memory: workers report every step here and polls read it, so a
/// retrieve never waits on a database write. The store is updated only now and then (for restarts and
/// for other processes reading the file). Subscribers (the studio's event stream) are told of changes.
/// </summary>
public sealed class ProgressBoard
{
    private readonly ConcurrentDictionary<string, int> _percent = new(StringComparer.Ordinal);

    /// <summary>Raised with the job id whenever a job's progress or status changes.</summary>
    public event Action<string>? Changed;

    public int? Get(string id) => _percent.TryGetValue(id, out int p) ? p : null;

    public void Set(string id, int percent)
    {
        percent = Math.Clamp(percent, 0, 99);
        int previous = -1;
        _percent.AddOrUpdate(id, percent, (_, old) => { previous = old; return Math.Max(old, percent); });
        if (previous != percent) Changed?.Invoke(id);
    }

    /// <summary>The job left the running state (finished, failed, re-queued or deleted).</summary>
    public void Clear(string id)
    {
        _percent.TryRemove(id, out _);
        Changed?.Invoke(id);
    }

    /// <summary>Maps a pipeline report to 0–99 %: text encoding is instant, denoising is most of the work, decoding the rest.</summary>
    public static int Percent(GenerationProgress p) => p.Stage switch
    {
        GenerationStage.EncodingText => 1,
        GenerationStage.Denoising => 2 + (int)(85.0 * p.Step / Math.Max(1, p.TotalSteps)),
        GenerationStage.Decoding => 87 + (int)(10.0 * p.Step / Math.Max(1, p.TotalSteps)),
        _ => 97,
    };
}
