namespace Kinema.Server.Jobs;

/// <summary>Wakes idle workers when a job is queued; they also poll now and then, so a missed signal costs at most a second.</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim _semaphore = new(0);

    public void Notify(int count = 1)
    {
        // Bounded so a burst of submissions does not leave thousands of stale wake-ups behind.
        if (_semaphore.CurrentCount < 64) _semaphore.Release(count);
    }

    public void Wait(TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            _semaphore.Wait(timeout, cancellation);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
