using System.Diagnostics;
using System.Text.Json;
using Kinema.Media;
using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Schedulers;
using TorchSharp;

namespace Kinema.Bench;

/// <summary>
/// Generates the model's default request 1 + N times in one process and reports wall time per stage
/// (sampling + decode, and MP4 write), resident memory after each run and live tensor counts. Flat
/// memory over the repeats is the no-leak check. Peers, each run after every measured run on the same seed so
/// that drift in the machine's speed hits both sides alike: the first-order Euler sampler, to show what the
/// model's default sampler costs per step; and, for a model whose defaults guide only the noisier steps, the same
/// request guided at every step, to show what that saves.
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
        bool limitedGuidance = resolved.Guidance > 1 && resolved.GuidanceMinSigma > 0;
        var eulerSeconds = new List<double>();
        var everyStepSeconds = new List<double>();
        var plainConvolutionSeconds = new List<double>();
        static double Seconds(Action generate)
        {
            var clock = Stopwatch.StartNew();
            generate();
            return clock.Elapsed.TotalSeconds;
        }
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
            if (i == 0) continue;
            eulerSeconds.Add(Seconds(() => pipeline.Generate(request with { Seed = i, Sampler = Kinema.Schedulers.SamplerKind.Euler })));
            if (limitedGuidance) everyStepSeconds.Add(Seconds(() => pipeline.Generate(request with { Seed = i, GuidanceMinSigma = 0 })));
            CausalConv3d.BatchSingleClipWindows = false;
            try { plainConvolutionSeconds.Add(Seconds(() => pipeline.Generate(request with { Seed = i }))); }
            finally { CausalConv3d.BatchSingleClipWindows = true; }
        }
        File.Delete(output);

        var measured = runs.Skip(1).Cast<dynamic>().ToList();
        double meanTotal = measured.Average(r => (double)r.total_seconds);
        double rssFirst = measured[0].rss_mib, rssLast = measured[^1].rss_mib;

        double euler = eulerSeconds.Average();
        double measuredSeconds = measured.Average(r => (double)r.generate_seconds);
        string sampler = resolved.Sampler.ToName();
        double? everyStep = limitedGuidance ? everyStepSeconds.Average() : null;

        double plainConvolution = plainConvolutionSeconds.Average();
        Console.WriteLine($"mean end-to-end {meanTotal:0.00} s; peak RSS {Program.PeakRssMiB():0} MiB; RSS growth run 1 → {repeats}: {rssLast - rssFirst:+0;-0} MiB");
        Console.WriteLine($"peer: Euler sampler {euler:0.00} s vs the model's {sampler} {measuredSeconds:0.00} s (ratio {measuredSeconds / euler:0.00}; same steps, same model calls)");
        if (everyStep is double guidedEveryStep)
            Console.WriteLine($"peer: guidance at every step {guidedEveryStep:0.00} s vs only at sigma >= {resolved.GuidanceMinSigma} {measuredSeconds:0.00} s (ratio {measuredSeconds / guidedEveryStep:0.00})");
        Console.WriteLine($"peer: the VAE's convolutions on libtorch's own CPU path {plainConvolution:0.00} s vs a single clip's frames batched as windows {measuredSeconds:0.00} s (ratio {measuredSeconds / plainConvolution:0.00})");
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
            peer = new { euler_seconds = euler, sampler, sampler_seconds = measuredSeconds, ratio = measuredSeconds / euler },
            convolution_peer = new { libtorch_path_seconds = plainConvolution, window_batched_seconds = measuredSeconds, ratio = measuredSeconds / plainConvolution },
            guidance_peer = everyStep is double e ? new { every_step_seconds = e, limited_seconds = measuredSeconds, guidance_min_sigma = resolved.GuidanceMinSigma, ratio = measuredSeconds / e } : null,
        };
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), "generate.json"), JsonSerializer.Serialize(report, Kinema.IO.Json.Options));
        return 0;
    }
}
