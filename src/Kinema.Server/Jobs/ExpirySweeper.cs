using Kinema.Server.Storage;
using Microsoft.Extensions.Hosting;

namespace Kinema.Server.Jobs;

/// <summary>
/// Enforces expires_at: once a video's download window closes its files are deleted (the job object
/// stays, as with OpenAI, and its content answers 410). Downloads check expires_at themselves, so a
/// video is never served late even between sweeps.
/// </summary>
public sealed class ExpirySweeper(VideoStore store, OutputWriter outputs, ServerOptions options, TimeProvider time, ILogger<ExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(options.Retention.TotalSeconds / 2, 1, 60));
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            foreach (var id in store.ExpiredWithAssets(time.GetUtcNow().ToUnixTimeSeconds()))
            {
                outputs.Discard(id);
                store.MarkAssetsDeleted(id);
                logger.LogInformation("Deleted the files of expired video {VideoId}", id);
            }
        }
        while (await WaitAsync(timer, stopping));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
