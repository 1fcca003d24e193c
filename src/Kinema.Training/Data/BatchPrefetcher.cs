namespace Kinema.Training.Data;

/// <summary>
/// Renders the batches of the next few steps on worker threads while the current step trains, so the
/// trainer waits on the renderer only when rendering is slower than training. Batches are plain byte
/// frames: tensors are made on the training thread, where its dispose scopes live.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    private readonly Func<long, TrainingBatch> _make;
    private readonly Dictionary<long, Task<TrainingBatch>> _pending = new();
    private readonly int _depth;
    private long _nextToSchedule;

    public BatchPrefetcher(Func<long, TrainingBatch> make, long firstStep, int depth)
    {
        _make = make;
        _depth = Math.Max(1, depth);
        _nextToSchedule = firstStep;
        Fill(firstStep);
    }

    /// <summary>The batch for <paramref name="step"/>; steps must be asked for in order.</summary>
    public TrainingBatch Take(long step)
    {
        if (!_pending.Remove(step, out var task))
        {
            _nextToSchedule = step;
            task = Task.Run(() => _make(step));
            _nextToSchedule = step + 1;
        }
        Fill(step + 1);
        return task.GetAwaiter().GetResult();
    }

    private void Fill(long from)
    {
        if (_nextToSchedule < from) _nextToSchedule = from;
        while (_nextToSchedule < from + _depth)
        {
            long s = _nextToSchedule++;
            _pending[s] = Task.Run(() => _make(s));
        }
    }

    public void Dispose()
    {
        try { Task.WaitAll(_pending.Values.ToArray()); } catch (AggregateException) { }
        _pending.Clear();
    }
}
