using System.Text;
using Kinema.Server.Storage;
using Microsoft.Extensions.Hosting;

namespace Kinema.Server.Webhooks;

/// <summary>
/// Delivers the webhook outbox on its own loop, apart from generation: POST the event with Standard
/// Webhooks headers; a 2xx is delivered, anything else is retried after a growing delay
/// (first delay × 5^attempt) up to <see cref="MaxAttempts"/> tries, then given up and logged.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveryStore store,
    WebhookSigner signer,
    WebhookPublisher publisher,
    ServerOptions options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const int MaxAttempts = 8;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (options.WebhookUrls.Count == 0) return;
        publisher.Enqueued += () => _wake.Release();
        while (!stopping.IsCancellationRequested)
        {
            var due = store.Due(time.GetUtcNow().ToUnixTimeSeconds(), limit: 16);
            await Task.WhenAll(due.Select(d => Deliver(d, stopping)));
            if (due.Count > 0) continue;
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task Deliver(WebhookDelivery delivery, CancellationToken stopping)
    {
        int attempt = delivery.Attempts + 1;
        long timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        string error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.EventId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", signer.Sign(delivery.EventId, timestamp, delivery.Body));
            request.Headers.UserAgent.ParseAdd("Kinema-Webhooks/1");
            using var response = await _http.SendAsync(request, stopping);
            if (response.IsSuccessStatusCode)
            {
                store.MarkDelivered(delivery.Seq, attempt);
                logger.LogInformation("Webhook {EventId} delivered to {Url} on attempt {Attempt}", delivery.EventId, delivery.Url, attempt);
                return;
            }
            error = $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            error = e.Message;
        }
        if (attempt >= MaxAttempts)
        {
            store.Abandon(delivery.Seq, attempt, error);
            logger.LogWarning("Webhook {EventId} to {Url} abandoned after {Attempts} attempts: {Error}", delivery.EventId, delivery.Url, attempt, error);
            return;
        }
        double delay = options.WebhookFirstRetryDelay.TotalSeconds * Math.Pow(5, attempt - 1);
        store.Reschedule(delivery.Seq, attempt, timestamp + (long)Math.Ceiling(delay), error);
        logger.LogWarning("Webhook {EventId} to {Url} failed ({Error}); retry {Attempt} in {Delay:0}s", delivery.EventId, delivery.Url, error, attempt + 1, delay);
    }

    public override void Dispose()
    {
        _http.Dispose();
        _wake.Dispose();
        base.Dispose();
    }
}
