using System.Net;
using Kinema.Server.Api;
using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Operations;
using Kinema.Server.Storage;
using Kinema.Server.Studio;
using Kinema.Server.Webhooks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;

namespace Kinema.Server;

/// <summary>
/// `kinema serve`: the OpenAI Videos API over a Kinema model, with a SQLite job queue in the data folder
/// and the web studio at /. Build it, then run it (or start and stop it from a test or another host).
/// </summary>
public sealed class KinemaServerHost : IAsyncDisposable
{
    private KinemaServerHost(WebApplication app, ServerOptions options, string host)
    {
        App = app;
        Options = options;
        Host = host;
    }

    public WebApplication App { get; }

    public ServerOptions Options { get; }

    /// <summary>The interface it listens on (decided from the options and whether keys are configured).</summary>
    public string Host { get; }

    /// <summary>The URLs it listens on, once started (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses => App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    public static KinemaServerHost Create(ServerOptions options)
    {
        if (options.Workers < 1) throw new ArgumentException($"--workers must be at least 1, got {options.Workers}");
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"--port must be between 0 and 65535, got {options.Port}");
        if (!Kinema.Media.Ffmpeg.IsAvailable)
            throw new InvalidOperationException($"kinema serve needs ffmpeg for MP4 output and WebP thumbnails, and it was not found (set ${Kinema.Media.Ffmpeg.EnvironmentVariable} or install it: apt-get install ffmpeg)");
        var served = new ServedModel(options.ModelFolder);
        var keys = options.ApiKeysFile is null ? ApiKeys.None : ApiKeys.Load(options.ApiKeysFile);
        var (policy, audit) = ContentPolicy.Prepare(options);
        var provenance = OutputProvenance.Load(options);
        var data = new DataFolder(options.DataFolder);
        var database = new Database(data.DatabasePath);
        database.Migrate();
        string host = options.Host ?? (keys.Enabled ? "0.0.0.0" : "127.0.0.1");
        ReserveThreads();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = data.Root, Args = [] });
        ConfigureLogging(builder.Logging, options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            kestrel.AddServerHeader = false;
            if (host == "localhost") kestrel.ListenLocalhost(options.Port);
            else if (IPAddress.TryParse(host, out var address)) kestrel.Listen(address, options.Port);
            else throw new ArgumentException($"--host must be an IP address or localhost, got '{host}'");
        });
        builder.Services.Configure<FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = options.MaxUploadBytes;
            form.ValueLengthLimit = (int)Math.Min(int.MaxValue, options.MaxUploadBytes);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(served);
        services.AddSingleton(keys);
        services.AddSingleton(data);
        services.AddSingleton(database);
        services.AddSingleton(new ServerStart(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        services.AddSingleton(WebhookSigner.FromDataFolder(data.Root, options.WebhookSecret));
        services.AddSingleton(provenance);
        services.AddSingleton(policy);
        services.AddSingleton(audit);
        services.AddSingleton<ContentPolicy>();
        services.AddSingleton<VideoStore>();
        services.AddSingleton<CharacterStore>();
        services.AddSingleton<WebhookDeliveryStore>();
        services.AddSingleton<ProgressBoard>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<OutputWriter>();
        services.AddSingleton<Uploads>();
        services.AddSingleton<VideoService>();
        services.AddSingleton<WebhookPublisher>();
        services.AddSingleton<ServerMetrics>();
        services.AddHostedService<GenerationWorkers>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHostedService<ExpirySweeper>();

        var app = builder.Build();
        app.Use(OperationsEndpoints.CountRequests);
        app.Use(ErrorResponses.Middleware);
        app.Use(Authentication.Middleware);

        var v1 = app.MapGroup("/v1");
        var videos = v1.MapGroup("/videos");
        VideoEndpoints.Map(videos);
        DerivedVideoEndpoints.Map(videos);
        CompositionEndpoints.Map(videos);
        CharacterEndpoints.Map(videos);
        EventStreamEndpoints.Map(videos);
        DiscoveryEndpoints.Map(v1);
        ImageEndpoints.Map(v1);
        ProvenanceEndpoints.Map(v1);
        v1.MapFallback((HttpContext context) => ErrorResponses.Write(context, 404,
            $"no such endpoint: {context.Request.Method} {context.Request.Path}", code: "unknown_url"));
        OperationsEndpoints.Map(app);
        StudioEndpoints.Map(app);

        var result = new KinemaServerHost(app, options, host);
        app.Lifetime.ApplicationStarted.Register(() => result.LogStarted(keys, served, data, policy, audit, provenance));
        return result;
    }

    public Task StartAsync(CancellationToken cancellation = default) => App.StartAsync(cancellation);

    public Task StopAsync(CancellationToken cancellation = default) => App.StopAsync(cancellation);

    /// <summary>Serves until <paramref name="cancellation"/> fires or the process is told to stop (Ctrl+C, SIGTERM).</summary>
    public async Task RunAsync(CancellationToken cancellation = default)
    {
        await App.StartAsync(cancellation);
        await App.WaitForShutdownAsync(cancellation);
        await App.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    private void LogStarted(ApiKeys keys, ServedModel served, DataFolder data, Kinema.Responsibility.Policy.PolicyEngine policy,
        Kinema.Responsibility.Policy.PolicyAuditLog audit, OutputProvenance provenance)
    {
        var logger = App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kinema.Server");
        bool loopback = Host is "127.0.0.1" or "::1" or "localhost";
        logger.LogInformation("Serving model {Model} with {Workers} worker(s); data in {DataFolder}; {Auth}",
            served.Name, Options.Workers, data.Root, keys.Enabled ? $"{keys.Count} API key(s)" : "no API keys");
        logger.LogInformation("Content policy {Policy} ({Categories} categories), audit log {AuditLog}; outputs signed by {Signer} ({SigningSource}), invisible watermark on{VisibleMark}",
            policy.Policy.Name, policy.Policy.Categories.Count, audit.Path, provenance.Signer, provenance.SigningSource, provenance.VisibleMark ? ", visible mark on" : "");
        if (!keys.Enabled && !loopback)
            logger.LogWarning("Listening on {Host} without API keys: anyone who can reach this machine can use the server", Host);
        foreach (var address in Addresses)
        {
            // One plain line on stdout for people and scripts; everything else is logged to stderr.
            Console.Out.WriteLine($"listening on {address}");
        }
        Console.Out.Flush();
    }

    /// <summary>
    /// SQLite calls are synchronous, so each request holds a pool thread for a moment. On a small machine
    /// the pool starts with one thread per core and adds more only every half second or so, which turns a
    /// burst of 50 polls into 250 ms waits; starting with enough threads for a burst avoids that.
    /// </summary>
    private static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out int workers, out int completion);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completion, 64));
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        if (options.JsonLogs)
            logging.AddJsonConsole(json => { json.IncludeScopes = true; json.UseUtcTimestamp = true; });
        else
            logging.AddSimpleConsole(simple => { simple.SingleLine = true; simple.IncludeScopes = true; simple.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; simple.UseUtcTimestamp = true; });
    }
}
