using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Kinema.Bench;

/// <summary>
/// `server-load`: N concurrent clients (default 50) each create a job on `kinema serve` (tiny model)
/// and poll it until it completes. Reports failed requests, lost jobs and the latency of
/// GET /v1/videos/{id} while generation runs; peer: the same GET with the server idle.
/// Starts its own server from the built CLI (dotnet build src/Kinema.Cli -c Release), or uses --url.
/// </summary>
public static class ServerLoadBench
{
    private const string Job = "{\"prompt\": \"a red ball bounces on green grass\", \"size\": \"64x64\", \"seconds\": \"1\"}";

    public static int Run(string[] args)
    {
        int clients = int.Parse(Program.Option(args, "--clients", "50"));
        int idleRequests = int.Parse(Program.Option(args, "--idle-requests", "20"));
        var pollInterval = TimeSpan.FromMilliseconds(double.Parse(Program.Option(args, "--poll-ms", "200")));
        string? url = args.Contains("--url") ? Program.Option(args, "--url", "") : null;

        using var scratch = new Scratch();
        using var server = url is null ? StartServer(scratch.Path) : null;
        string baseUrl = url ?? server!.Url;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        Console.WriteLine($"server {baseUrl}; {clients} clients, polling every {pollInterval.TotalMilliseconds:0} ms");

        // Warm up (JIT, connection pool, first generation) and make one finished video for the idle peer.
        string warmId = CreateAsync(http).GetAwaiter().GetResult();
        WaitCompleted(http, warmId).GetAwaiter().GetResult();

        var idle = MeasureIdle(http, warmId, clients, idleRequests).GetAwaiter().GetResult();
        var load = MeasureUnderLoad(http, clients, pollInterval).GetAwaiter().GetResult();

        var listed = ListAll(http).GetAwaiter().GetResult();
        int lost = load.CreatedIds.Count(id => !listed.Contains(id)) + load.CreatedIds.Count(id => !load.CompletedIds.Contains(id));
        var report = new
        {
            clients,
            poll_interval_ms = pollInterval.TotalMilliseconds,
            jobs_created = load.CreatedIds.Count,
            jobs_completed = load.CompletedIds.Count,
            jobs_lost = lost,
            failed_requests = load.Failures + idle.Failures,
            failure_examples = load.FailureExamples.Take(5).ToArray(),
            wall_seconds = Math.Round(load.WallSeconds, 2),
            get_under_load = Summary(load.GetLatencies),
            get_idle_peer = Summary(idle.Latencies),
            create = Summary(load.CreateLatencies),
            machine = new { cores = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
        };
        Console.WriteLine($"{"",28} {"n",7} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
        Print("GET /v1/videos/{id} (load)", load.GetLatencies);
        Print("GET /v1/videos/{id} (idle)", idle.Latencies);
        Print("POST /v1/videos", load.CreateLatencies);
        Console.WriteLine($"jobs: {load.CreatedIds.Count} created, {load.CompletedIds.Count} completed, {lost} lost; failed requests: {report.failed_requests}; {load.WallSeconds:0.0} s");
        string path = Path.Combine(Program.ResultsFolder(), "server-load.json");
        File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
        return report.failed_requests == 0 && lost == 0 ? 0 : 1;
    }

    private sealed record IdleResult(List<double> Latencies, int Failures);

    private sealed record LoadResult(List<double> GetLatencies, List<double> CreateLatencies, List<string> CreatedIds, HashSet<string> CompletedIds, int Failures, List<string> FailureExamples, double WallSeconds);

    private static async Task<IdleResult> MeasureIdle(HttpClient http, string id, int clients, int requestsEach)
    {
        var latencies = new ConcurrentBag<double>();
        int failures = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            for (int i = 0; i < requestsEach; i++)
            {
                var (ok, ms) = await TimedGet(http, $"/v1/videos/{id}");
                if (ok) latencies.Add(ms);
                else Interlocked.Increment(ref failures);
                await Task.Delay(50);
            }
        }));
        return new IdleResult([.. latencies], failures);
    }

    private static async Task<LoadResult> MeasureUnderLoad(HttpClient http, int clients, TimeSpan pollInterval)
    {
        var gets = new ConcurrentBag<double>();
        var creates = new ConcurrentBag<double>();
        var created = new ConcurrentBag<string>();
        var completed = new ConcurrentDictionary<string, bool>();
        var examples = new ConcurrentQueue<string>();
        int failures = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            string id;
            var clock = Stopwatch.StartNew();
            try
            {
                id = await CreateAsync(http);
                creates.Add(clock.Elapsed.TotalMilliseconds);
                created.Add(id);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref failures);
                examples.Enqueue($"create: {e.Message}");
                return;
            }
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (DateTime.UtcNow < deadline)
            {
                await Task.Delay(pollInterval);
                clock.Restart();
                try
                {
                    using var response = await http.GetAsync($"/v1/videos/{id}");
                    string body = await response.Content.ReadAsStringAsync();
                    double ms = clock.Elapsed.TotalMilliseconds;
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                        examples.Enqueue($"GET {id}: HTTP {(int)response.StatusCode} {body}");
                        continue;
                    }
                    string status = JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
                    // Only polls answered while generation is still going on count as "under load".
                    if (status is "queued" or "in_progress") gets.Add(ms);
                    if (status == "completed") { completed[id] = true; return; }
                    if (status == "failed") { Interlocked.Increment(ref failures); examples.Enqueue($"job {id} failed: {body}"); return; }
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    examples.Enqueue($"GET {id}: {e.Message}");
                }
            }
        }));
        return new LoadResult([.. gets], [.. creates], [.. created], [.. completed.Keys], failures, [.. examples], wall.Elapsed.TotalSeconds);
    }

    private static async Task<(bool Ok, double Ms)> TimedGet(HttpClient http, string path)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            return (response.IsSuccessStatusCode, clock.Elapsed.TotalMilliseconds);
        }
        catch (HttpRequestException)
        {
            return (false, clock.Elapsed.TotalMilliseconds);
        }
    }

    private static async Task<string> CreateAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/v1/videos", new StringContent(Job, Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task WaitCompleted(HttpClient http, string id)
    {
        for (int i = 0; i < 1200; i++)
        {
            var video = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
            if (video.GetProperty("status").GetString() == "completed") return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"warm-up video {id} did not complete");
    }

    private static async Task<HashSet<string>> ListAll(HttpClient http)
    {
        var ids = new HashSet<string>();
        string? after = null;
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/v1/videos?limit=100{(after is null ? "" : $"&after={after}")}");
            foreach (var video in page.GetProperty("data").EnumerateArray()) ids.Add(video.GetProperty("id").GetString()!);
            if (!page.GetProperty("has_more").GetBoolean()) return ids;
            after = page.GetProperty("last_id").GetString();
        }
    }

    private static object Summary(List<double> samples)
    {
        if (samples.Count == 0) return new { n = 0 };
        samples.Sort();
        return new { n = samples.Count, p50_ms = Math.Round(Percentile(samples, 0.50), 2), p99_ms = Math.Round(Percentile(samples, 0.99), 2), max_ms = Math.Round(samples[^1], 2) };
    }

    private static void Print(string name, List<double> samples)
    {
        samples.Sort();
        if (samples.Count == 0) { Console.WriteLine($"{name,-28} {0,7}"); return; }
        Console.WriteLine($"{name,-28} {samples.Count,7} {Percentile(samples, 0.5),8:0.00} {Percentile(samples, 0.99),8:0.00} {samples[^1],8:0.00}");
    }

    private static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static ServerChild StartServer(string scratch)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        string root = Path.GetDirectoryName(Program.ResultsFolder())!;
        string cli = Path.Combine(Path.GetDirectoryName(root)!, "src", "Kinema.Cli", "bin", configuration, "net10.0", "kinema.dll");
        if (!File.Exists(cli)) throw new FileNotFoundException($"the CLI is not built at {cli}; run: dotnet build src/Kinema.Cli -c {configuration}");
        string model = Path.Combine(scratch, "tiny");
        using (var init = Process.Start(new ProcessStartInfo("dotnet", [cli, "model", "init", model, "--preset", "tiny"]) { RedirectStandardOutput = true })!)
        {
            init.WaitForExit();
            if (init.ExitCode != 0) throw new InvalidOperationException("kinema model init failed");
        }
        return new ServerChild(cli, model, Path.Combine(scratch, "data"));
    }

    private sealed class ServerChild : IDisposable
    {
        private readonly Process _process;

        public ServerChild(string cli, string model, string data)
        {
            var info = new ProcessStartInfo("dotnet", [cli, "serve", "--model", model, "--data", data, "--port", "0"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            _process = Process.Start(info)!;
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            string? line;
            while ((line = _process.StandardOutput.ReadLine()) is not null)
            {
                if (line.StartsWith("listening on ", StringComparison.Ordinal))
                {
                    Url = line["listening on ".Length..].Trim();
                    return;
                }
            }
            throw new InvalidOperationException("kinema serve exited before listening");
        }

        public string Url { get; } = "";

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kinema-server-load-{Guid.NewGuid():N}")).FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
