using System.Text.Json;
using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// GET /v1/videos/{id}/events: server-sent events carrying the video object each time it changes,
/// ending after completed or failed (Kinema's addition; the SDKs poll instead). The studio uses it for
/// live progress.
/// </summary>
public static class EventStreamEndpoints
{
    public static void Map(RouteGroupBuilder videos) => videos.MapGet("/{id}/events", Stream);

    private static async Task Stream(HttpContext context, string id, VideoService service, VideoStore store, ProgressBoard board)
    {
        string owner = context.Owner();
        service.Find(id, owner);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var changes = new JobChanges(board, [id]);
        var aborted = context.RequestAborted;
        try
        {
            string? last = null;
            while (!aborted.IsCancellationRequested)
            {
                var job = store.Get(id, owner);
                if (job is null)
                {
                    await response.WriteAsync($"event: deleted\ndata: {{\"id\":\"{id}\"}}\n\n", aborted);
                    break;
                }
                string json = JsonSerializer.Serialize(service.ToObject(job), ServerJson.Options);
                if (json != last)
                {
                    await response.WriteAsync($"event: video\ndata: {json}\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    last = json;
                }
                if (job.Status is VideoStatus.Completed or VideoStatus.Failed) break;
                await changes.WaitAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
    }
}
