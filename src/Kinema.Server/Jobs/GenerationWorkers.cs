using System.Diagnostics;
using Kinema.Pipelines;
using Kinema.Server.Storage;
using Kinema.Server.Webhooks;
using Microsoft.Extensions.Hosting;

namespace Kinema.Server.Jobs;

/// <summary>
/// The generation workers. Each worker owns one loaded copy of the model (a model is not safe for
/// concurrent generation, and one copy per worker keeps workers independent) and one dedicated thread
/// for its whole life, because TorchSharp's dispose scopes and inference mode are thread-local.
/// Workers claim jobs from the store (the store is the queue), so a job is never run twice at once and a
/// job that was running when the process died is simply queued again at the next start.
/// </summary>
public sealed class GenerationWorkers(
    ServerOptions options,
    ServedModel served,
    VideoStore store,
    RunningJobs running,
    JobSignal signal,
    ProgressBoard board,
    JobRunner runner,
    OutputWriter outputs,
    WebhookPublisher webhooks,
    Operations.ServerMetrics metrics,
    TimeProvider time,
    ILogger<GenerationWorkers> logger) : BackgroundService
{
    private static readonly TimeSpan ProgressSaveInterval = TimeSpan.FromSeconds(1);
    private readonly List<KinemaModel> _models = [];

    /// <summary>Loads the models and re-queues interrupted jobs before the server starts listening, so a server that answers is one that can generate.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var orphans = store.RemoveOrphanedImages();
        foreach (string id in orphans) outputs.Discard(id);
        if (orphans.Count > 0) logger.LogWarning("Dropped {Count} image job(s) whose requests ended with the previous run", orphans.Count);
        int requeued = store.RequeueInterrupted();
        if (requeued > 0) logger.LogWarning("Re-queued {Count} job(s) interrupted by the previous shutdown", requeued);
        if (options.TorchThreads is int threads) TorchSharp.torch.set_num_threads(threads);
        for (int i = 0; i < options.Workers; i++)
        {
            var clock = Stopwatch.StartNew();
            _models.Add(KinemaModel.Load(served.Folder, new ModelLoadOptions { Device = options.Device }, cancellation: cancellationToken));
            logger.LogInformation("Worker {Worker} loaded model {Model} on {Device} in {Seconds:0.00}s", i, served.Name, options.Device, clock.Elapsed.TotalSeconds);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stopping)
        => Task.WhenAll(_models.Select((model, i) => GenerationThread.Run(() => WorkerLoop(i, model, stopping), CancellationToken.None)));

    private bool WorkerLoop(int worker, KinemaModel model, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var claimed = running.Claim(() => store.ClaimNext(Now()), stopping);
            if (claimed is not { } c)
            {
                signal.Wait(TimeSpan.FromSeconds(1), stopping);
                continue;
            }
            try
            {
                RunOne(worker, model, c.Job, c.Cancellation.Token, stopping);
            }
            finally
            {
                running.Release(c.Job.Id);
                board.Clear(c.Job.Id);
            }
        }
        return true;
    }

    private void RunOne(int worker, KinemaModel model, VideoJob job, CancellationToken cancellation, CancellationToken stopping)
    {
        using var scope = logger.BeginScope("worker {Worker} video {VideoId}", worker, job.Id);
        logger.LogInformation("Started {Kind} job {VideoId}: {Size}, {Seconds}s, {Steps} steps, seed {Seed}",
            job.Kind.ToWire(), job.Id, job.Size, job.Seconds, job.Parameters.Steps, job.Parameters.Seed);
        var clock = Stopwatch.StartNew();
        var lastSave = TimeSpan.Zero;
        board.Set(job.Id, 0);
        var progress = new InlineProgress<GenerationProgress>(p =>
        {
            int percent = ProgressBoard.Percent(p);
            board.Set(job.Id, percent);
            if (clock.Elapsed - lastSave >= ProgressSaveInterval)
            {
                lastSave = clock.Elapsed;
                store.SaveProgress(job.Id, percent);
            }
        });
        try
        {
            outputs.Reset(job.Id);
            var result = runner.Run(model, job, progress, cancellation);
            var written = outputs.Write(job, result);
            long now = Now();
            string seconds = SecondsText.Format((double)result.Frames.Count / result.Fps);
            if (store.Complete(job.Id, seconds, now, now + (long)options.Retention.TotalSeconds, clock.Elapsed.TotalSeconds, written.WatermarkPayload))
            {
                metrics.RecordGeneration(clock.Elapsed.TotalSeconds, succeeded: true, image: job.Kind == JobKind.Image);
                logger.LogInformation("Completed job {VideoId} in {Seconds:0.00}s ({Frames} frames, watermark payload {WatermarkPayload}, Content Credentials signed)", job.Id, clock.Elapsed.TotalSeconds, result.Frames.Count, written.WatermarkPayload);
                Announce(job.Id);
            }
            else
            {
                DiscardDeleted(job.Id);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            if (stopping.IsCancellationRequested)
            {
                // Shutdown: hand the job back so the next start runs it again from the beginning.
                store.Requeue(job.Id);
                metrics.RecordRequeue();
                logger.LogInformation("Re-queued job {VideoId}: the server is shutting down", job.Id);
            }
            else
            {
                DiscardDeleted(job.Id);
                logger.LogInformation("Cancelled job {VideoId}: it was deleted", job.Id);
            }
        }
        catch (Exception e)
        {
            // Requests are validated at submission; a failure here is the input's content (an undecodable
            // upload) or the machine (memory, disk). Either way the job fails with the reason, the worker lives on.
            string code = e is InvalidRequestException or Kinema.Media.MediaException ? "invalid_input" : "generation_failed";
            if (store.Fail(job.Id, code, e.Message, Now()))
            {
                metrics.RecordGeneration(clock.Elapsed.TotalSeconds, succeeded: false, image: job.Kind == JobKind.Image);
                logger.LogError(e, "Job {VideoId} failed: {Message}", job.Id, e.Message);
                Announce(job.Id);
            }
            else
            {
                DiscardDeleted(job.Id);
            }
        }
    }

    /// <summary>Webhooks announce videos; an image goes back in the response of the request that waits for it.</summary>
    private void Announce(string id)
    {
        if (store.GetAnyOwner(id) is { Kind: not JobKind.Image } finished) webhooks.Publish(finished);
    }

    private void DiscardDeleted(string id)
    {
        // The DELETE handler removed the row and files already; this catches files written after it.
        if (store.GetAnyOwner(id) is not null) return;
        outputs.Discard(id);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    public override void Dispose()
    {
        foreach (var model in _models) model.Dispose();
        _models.Clear();
        base.Dispose();
    }

    /// <summary>Reports on the worker's own thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
