using System.Text.Json;
using Kinema.Server.Api;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Webhooks;

/// <summary>Event payload in OpenAI's webhook shape, with the whole video object as data.</summary>
public sealed record WebhookEvent(string Id, string Object, string Type, long CreatedAt, VideoObject Data);

/// <summary>Writes video.completed / video.failed events to the outbox; the dispatcher delivers them.</summary>
public sealed class WebhookPublisher(ServerOptions options, WebhookDeliveryStore store, TimeProvider time)
{
    public event Action? Enqueued;

    public void Publish(VideoJob job)
    {
        if (options.WebhookUrls.Count == 0) return;
        string type = job.Status == VideoStatus.Completed ? "video.completed" : "video.failed";
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        var webhookEvent = new WebhookEvent(Ids.New("evt"), "event", type, now, VideoObject.From(job));
        store.Enqueue(webhookEvent.Id, options.WebhookUrls, JsonSerializer.Serialize(webhookEvent, ServerJson.Options), now);
        Enqueued?.Invoke();
    }
}
