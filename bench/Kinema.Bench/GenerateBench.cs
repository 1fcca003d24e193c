using System.Diagnostics;
using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using TorchSharp;

namespace Kinema.Bench;

/// <summary>
/// Generates the model's default request 1 + N times in one process and reports wall time per stage
/// (sampling + decode, and MP4 write), resident memory after each run and live tensor counts. Flat
/// memory over the repeats is the no-leak check. Peer: the same request with the first-order Euler
/// sampler, to show what the default DPM-Solver++ costs per step.
/// </summary>
public static class GenerateBench
{
    public static int Run(string[] args)
    {
        string folder = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        int repeats = int.Parse(Program.Option(args, "--repeats", "10"));
        using var model = KinemaModel.Load(folder);
        var pipeline = new TextToVideoPipeline(model);
        var request = new VideoRequest { Prompt = "a red ball bounces across a snowy field at sunset, camera panning left", Seed = 1 };
        var resolved = VideoRequestValidator.Resolve(request, model.Config);
        string output = Path.Combine(Path.GetTempPath(), $"kinema-bench-{Environment.ProcessId}.mp4");

        Console.WriteLine($"model {model.Name}: {resolved.Width}x{resolved.Height}, {resolved.FrameCount} frames @ {resolved.Fps} fps, {resolved.Steps} steps {resolved.Sampler}, guidance {resolved.Guidance}; threads {torch.get_num_threads()}");
        Console.WriteLine($"{"run",4} {"generate s",11} {"write s",8} {"total s",8} {"RSS MiB",8} {"live tensors",13}");
        var runs = new List<object>();
        for (int i = 0; i <= repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = pipeline.Generate(request with { Seed = i });
            double generate = clock.Elapsed.TotalSeconds;
            VideoFile.Write(output, result.Frames, new VideoWriteOptions { Fps = result.Fps });
            double total = clock.Elapsed.TotalSeconds;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            double rss = Program.RssMiB();
            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            Console.WriteLine($"{(i == 0 ? "warm" : i.ToString()),4} {generate,11:0.00} {total - generate,8:0.00} {total,8:0.00} {rss,8:0} {live,13}");
            runs.Add(new { run = i, generate_seconds = generate, write_seconds = total - generate, total_seconds = total, rss_mib = rss, live_tensors = live });
        }
        File.Delete(output);

        var measured = runs.Skip(1).Cast<dynamic>().ToList();
        double meanTotal = measured.Average(r => (double)r.total_seconds);
        double rssFirst = measured[0].rss_mib, rssLast = measured[^1].rss_mib;

        var clockEuler = Stopwatch.StartNew();
        pipeline.Generate(request with { Sampler = Kinema.Schedulers.SamplerKind.Euler });
        double euler = clockEuler.Elapsed.TotalSeconds;
        double dpm = measured.Average(r => (double)r.generate_seconds);

        Console.WriteLine($"mean end-to-end {meanTotal:0.00} s; peak RSS {Program.PeakRssMiB():0} MiB; RSS growth run 1 → {repeats}: {rssLast - rssFirst:+0;-0} MiB");
        Console.WriteLine($"peer: Euler sampler {euler:0.00} s vs DPM-Solver++ 2M {dpm:0.00} s (ratio {dpm / euler:0.00}; same steps, same model calls)");
        var report = new
        {
            benchmark = "generate",
            date = DateTime.UtcNow,
            machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            model = model.Name,
            request = resolved,
            runs,
            mean_total_seconds = meanTotal,
            peak_rss_mib = Program.PeakRssMiB(),
            rss_growth_mib = rssLast - rssFirst,
            peer = new { euler_seconds = euler, dpm_seconds = dpm, ratio = dpm / euler },
        };
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), "generate.json"), JsonSerializer.Serialize(report, Kinema.IO.Json.Options));
        return 0;
    }
}
