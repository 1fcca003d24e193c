using System.CommandLine;
using System.Globalization;
using Kinema.Pipelines;
using Kinema.Server;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema serve</c>: the OpenAI Videos API (/v1/videos) and the web studio over a local model.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 8000 };
        var host = new Option<string?>("--host") { Description = "Interface to listen on (default: 127.0.0.1 without --api-keys, 0.0.0.0 with)" };
        var data = new Option<string>("--data") { Description = "Folder for the job database, uploads and videos; kept across restarts", DefaultValueFactory = _ => "kinema-data" };
        var workers = new Option<int>("--workers") { Description = "Concurrent generations; each loads its own copy of the model", DefaultValueFactory = _ => 1 };
        var apiKeys = new Option<string?>("--api-keys") { Description = "File of bearer keys, one per line ('KEY' or 'LABEL KEY'); each key sees only its own videos" };
        var retention = new Option<string>("--retention") { Description = "How long finished videos stay downloadable: e.g. 90s, 30m, 24h, 7d", DefaultValueFactory = _ => "7d" };
        var webhooks = new Option<string[]>("--webhook") { Description = "URL to POST video.completed / video.failed events to (repeatable)", AllowMultipleArgumentsPerToken = false };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "Standard Webhooks signing secret (whsec_BASE64); default: generated and kept in DATA/webhook-secret" };
        var webhookRetry = new Option<double>("--webhook-retry-seconds") { Description = "Delay before the first webhook retry; each later one waits 5x longer", DefaultValueFactory = _ => 5 };
        var maxUpload = new Option<double>("--max-upload-mb") { Description = "Largest request body (uploads included), in MiB", DefaultValueFactory = _ => 64 };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads for generation (default: all cores but one, so the API stays responsive)" };
        var jsonLogs = new Option<bool>("--log-json") { Description = "Log one JSON object per line (stderr)" };
        var policy = new Option<string?>("--policy") { Description = "Content policy file checked on every prompt (default: $KINEMA_POLICY, else the shipped policy; see docs/responsibility.md)" };
        var visibleMark = new Option<bool>("--visible-mark") { Description = "Also stamp a visible AI-GENERATED label on every video (the invisible watermark and Content Credentials are always on)" };
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();

        var command = new Command("serve", "Serve the OpenAI Videos API (/v1/videos) and the web studio (/)")
        {
            port, host, data, workers, apiKeys, model, device, retention, webhooks, webhookSecret, webhookRetry, maxUpload, threads, jsonLogs, policy, visibleMark,
        };
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            double maxUploadMb = parse.GetValue(maxUpload);
            if (!(maxUploadMb > 0)) throw new ArgumentException($"--max-upload-mb must be > 0, got {maxUploadMb}");
            var options = new ServerOptions
            {
                ModelFolder = ModelLocator.Resolve(parse.GetValue(model)),
                Device = parse.GetValue(device)!,
                Host = parse.GetValue(host),
                Port = parse.GetValue(port),
                DataFolder = parse.GetValue(data)!,
                Workers = parse.GetValue(workers),
                ApiKeysFile = parse.GetValue(apiKeys),
                Retention = ParseDuration(parse.GetValue(retention)!, "--retention"),
                WebhookUrls = ValidateUrls(parse.GetValue(webhooks) ?? []),
                WebhookSecret = parse.GetValue(webhookSecret),
                WebhookFirstRetryDelay = TimeSpan.FromSeconds(parse.GetValue(webhookRetry)),
                MaxUploadBytes = (long)(maxUploadMb * 1024 * 1024),
                TorchThreads = parse.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount - 1),
                JsonLogs = parse.GetValue(jsonLogs),
                PolicyFile = parse.GetValue(policy),
                VisibleMark = parse.GetValue(visibleMark),
            };
            await using var server = KinemaServerHost.Create(options);
            await server.RunAsync(cancellation);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>"90s", "30m", "24h", "7d" (a bare number is seconds).</summary>
    internal static TimeSpan ParseDuration(string text, string option)
    {
        text = text.Trim().ToLowerInvariant();
        char unit = text.Length > 0 && char.IsLetter(text[^1]) ? text[^1] : 's';
        string number = char.IsLetter(unit) && text.Length > 0 && char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0))
            throw new ArgumentException($"{option} must be a positive duration like 90s, 30m, 24h or 7d, got '{text}'");
        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => throw new ArgumentException($"{option}: unknown unit '{unit}' in '{text}'; use s, m, h or d"),
        };
    }

    private static IReadOnlyList<string> ValidateUrls(string[] urls)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new ArgumentException($"--webhook must be an http(s) URL, got '{url}'");
        }
        return urls;
    }
}
