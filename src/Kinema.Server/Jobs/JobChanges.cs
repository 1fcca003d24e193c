namespace Kinema.Server.Jobs;

/// <summary>
/// Lets a request wait for some jobs to change: woken by the <see cref="ProgressBoard"/> when one of them does, with a
/// slow backstop so that a change the board did not see (another process, a missed wake) is still read in time.
/// </summary>
public sealed class JobChanges : IDisposable
{
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(1);
    private readonly ProgressBoard _board;
    private readonly HashSet<string> _ids;
    private readonly SemaphoreSlim _wake = new(0);

    public JobChanges(ProgressBoard board, IEnumerable<string> ids)
    {
        _board = board;
        _ids = [.. ids];
        _board.Changed += OnChanged;
    }

    /// <summary>Returns when one of the jobs has changed since the last wait (true), or after the backstop (false).</summary>
    public Task<bool> WaitAsync(CancellationToken cancellation) => _wake.WaitAsync(Backstop, cancellation);

    private void OnChanged(string id)
    {
        // One pending wake is enough: the waiter re-reads every job it waits on.
        if (_ids.Contains(id) && _wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>
    /// Stops listening. The semaphore is left to the collector: a worker may still be inside <see cref="OnChanged"/>
    /// (events run on a copy of the handler list), and a disposed semaphore would throw in that worker's progress report.
    /// It holds no handle unless its wait handle is asked for, which nothing here does.
    /// </summary>
    public void Dispose() => _board.Changed -= OnChanged;
}
