using System.Globalization;
using System.Text;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Operations;

/// <summary>
/// Prometheus text exposition: job counts by status and the queue length come from the store at scrape
/// time (so they are right across restarts); generation time, finished jobs and HTTP traffic are counted
/// in memory since start. Jobs carry <c>kind="video"</c> or <c>kind="image"</c>: a one-frame image takes a fraction of
/// a video's time, so mixing them would hide how long videos take.
/// </summary>
public sealed class ServerMetrics(VideoStore videos, WebhookDeliveryStore webhooks, RunningJobs running, ServerOptions options)
{
    private static readonly double[] Buckets = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];
    private readonly object _gate = new();
    private static readonly string[] Kinds = ["video", "image"];
    private readonly Generations[] _generations = [new(), new()];   // indexed as Kinds
    private long _requeued;
    private readonly Dictionary<(string Method, int Status), long> _requests = [];

    private sealed class Generations
    {
        public readonly long[] BucketCounts = new long[Buckets.Length];
        public double Sum;
        public long Count, Completed, Failed;
    }

    public void RecordGeneration(double seconds, bool succeeded, bool image)
    {
        lock (_gate)
        {
            var generations = _generations[image ? 1 : 0];
            if (succeeded) generations.Completed++;
            else generations.Failed++;
            generations.Sum += seconds;
            generations.Count++;
            for (int i = 0; i < Buckets.Length; i++)
                if (seconds <= Buckets[i]) generations.BucketCounts[i]++;
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
        Gauge(text, "kinema_jobs", "Jobs in the store by kind (video or image) and status.",
            counts.Select(kv => ($"kind=\"{Kinds[kv.Key.Image ? 1 : 0]}\",status=\"{kv.Key.Status.ToWire()}\"", (double)kv.Value)));
        Gauge(text, "kinema_queue_length", "Jobs waiting for a worker, videos and images.", [("", counts.Where(kv => kv.Key.Status == VideoStatus.Queued).Sum(kv => kv.Value))]);
        Gauge(text, "kinema_jobs_running", "Jobs generating right now.", [("", running.Count)]);
        Gauge(text, "kinema_workers", "Configured generation workers.", [("", options.Workers)]);
        Gauge(text, "kinema_webhook_deliveries", "Webhook deliveries by state.", deliveries.Select(kv => ($"state=\"{kv.Key}\"", (double)kv.Value)));
        lock (_gate)
        {
            text.Append("# HELP kinema_jobs_finished_total Jobs finished since start, by kind and outcome.\n# TYPE kinema_jobs_finished_total counter\n");
            for (int k = 0; k < Kinds.Length; k++)
                text.Append($"kinema_jobs_finished_total{{kind=\"{Kinds[k]}\",outcome=\"completed\"}} {_generations[k].Completed}\n" +
                    $"kinema_jobs_finished_total{{kind=\"{Kinds[k]}\",outcome=\"failed\"}} {_generations[k].Failed}\n");
            text.Append($"# HELP kinema_jobs_requeued_total Running jobs handed back to the queue at shutdown.\n# TYPE kinema_jobs_requeued_total counter\nkinema_jobs_requeued_total {_requeued}\n");
            text.Append("# HELP kinema_generation_seconds Wall time of finished generations, by kind.\n# TYPE kinema_generation_seconds histogram\n");
            for (int k = 0; k < Kinds.Length; k++)
            {
                var generations = _generations[k];
                string kind = $"kind=\"{Kinds[k]}\"";
                for (int i = 0; i < Buckets.Length; i++)
                    text.Append($"kinema_generation_seconds_bucket{{{kind},le=\"{Format(Buckets[i])}\"}} {generations.BucketCounts[i]}\n");
                text.Append($"kinema_generation_seconds_bucket{{{kind},le=\"+Inf\"}} {generations.Count}\n");
                text.Append($"kinema_generation_seconds_sum{{{kind}}} {Format(generations.Sum)}\nkinema_generation_seconds_count{{{kind}}} {generations.Count}\n");
            }
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
