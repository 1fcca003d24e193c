using System.Globalization;
using System.Text;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Operations;

/// <summary>
/// Prometheus text exposition: job counts by status and the queue length come from the store at scrape
/// time (so they are right across restarts); generation time, finished jobs and HTTP traffic are counted
/// in memory since start.
/// </summary>
public sealed class ServerMetrics(VideoStore videos, WebhookDeliveryStore webhooks, RunningJobs running, ServerOptions options)
{
    private static readonly double[] Buckets = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];
    private readonly object _gate = new();
    private readonly long[] _bucketCounts = new long[Buckets.Length];
    private double _generationSum;
    private long _generationCount;
    private long _completed, _failed, _requeued;
    private readonly Dictionary<(string Method, int Status), long> _requests = [];

    public void RecordGeneration(double seconds, bool succeeded)
    {
        lock (_gate)
        {
            if (succeeded) _completed++;
            else _failed++;
            _generationSum += seconds;
            _generationCount++;
            for (int i = 0; i < Buckets.Length; i++)
                if (seconds <= Buckets[i]) _bucketCounts[i]++;
        }
    }

    public void RecordRequeue()
    {
        lock (_gate) _requeued++;
    }

    public void RecordRequest(string method, int status)
    {
        lock (_gate) _requests[(method, status)] = _requests.GetValueOrDefault((method, status)) + 1;
    }

    public string Render()
    {
        var counts = videos.CountByStatus();
        var deliveries = webhooks.CountByState();
        var text = new StringBuilder();
        Gauge(text, "kinema_jobs", "Video jobs in the store by status.", counts.Select(kv => ($"status=\"{kv.Key.ToWire()}\"", (double)kv.Value)));
        Gauge(text, "kinema_queue_length", "Jobs waiting for a worker.", [("", counts[VideoStatus.Queued])]);
        Gauge(text, "kinema_jobs_running", "Jobs generating right now.", [("", running.Count)]);
        Gauge(text, "kinema_workers", "Configured generation workers.", [("", options.Workers)]);
        Gauge(text, "kinema_webhook_deliveries", "Webhook deliveries by state.", deliveries.Select(kv => ($"state=\"{kv.Key}\"", (double)kv.Value)));
        lock (_gate)
        {
            text.Append("# HELP kinema_jobs_finished_total Jobs finished since start, by outcome.\n# TYPE kinema_jobs_finished_total counter\n");
            text.Append($"kinema_jobs_finished_total{{outcome=\"completed\"}} {_completed}\nkinema_jobs_finished_total{{outcome=\"failed\"}} {_failed}\n");
            text.Append($"# HELP kinema_jobs_requeued_total Running jobs handed back to the queue at shutdown.\n# TYPE kinema_jobs_requeued_total counter\nkinema_jobs_requeued_total {_requeued}\n");
            text.Append("# HELP kinema_generation_seconds Wall time of finished generations.\n# TYPE kinema_generation_seconds histogram\n");
            for (int i = 0; i < Buckets.Length; i++)
                text.Append($"kinema_generation_seconds_bucket{{le=\"{Format(Buckets[i])}\"}} {_bucketCounts[i]}\n");
            text.Append($"kinema_generation_seconds_bucket{{le=\"+Inf\"}} {_generationCount}\n");
            text.Append($"kinema_generation_seconds_sum {Format(_generationSum)}\nkinema_generation_seconds_count {_generationCount}\n");
            text.Append("# HELP kinema_http_requests_total HTTP requests answered, by method and status code.\n# TYPE kinema_http_requests_total counter\n");
            foreach (var ((method, status), count) in _requests.OrderBy(kv => kv.Key.Method).ThenBy(kv => kv.Key.Status))
                text.Append($"kinema_http_requests_total{{method=\"{method}\",code=\"{status}\"}} {count}\n");
        }
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        text.Append($"# HELP {name} {help}\n# TYPE {name} gauge\n");
        foreach (var (labels, value) in samples)
            text.Append(labels.Length == 0 ? $"{name} {Format(value)}\n" : $"{name}{{{labels}}} {Format(value)}\n");
    }

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
