using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.Pipelines;
using Kinema.Wan.Schedulers;
using Kinema.Wan.RandomWeights;
using Kinema.Wan.Transformer;
using Kinema.Wan.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Bench;

/// <summary>
/// Wan DiT per-denoising-step latency and peak memory with random weights, on the CPU. One step is what the
/// pipeline runs with classifier-free guidance: two batch-1 forward passes (conditional, unconditional) of the
/// transformer on the same latents. Reported: median ms/step over the timed steps after a warm-up, the process
/// peak RSS (VmHWM) after loading and after stepping, the analytical FLOPs per forward (<see cref="ForwardFlops"/>)
/// and the achieved FLOP/s against a square-matmul microbenchmark run in the same invocation.
///
/// The peer (optional, <c>--sdcpp BIN --sdcpp-model FILE</c>) is stable-diffusion.cpp's CLI on the same shapes,
/// run after Kinema's model is disposed, in its own process; its per-step time is parsed from its sampling log
/// and its peak RSS is polled from /proc/PID/status. See tools/wan-bench/README.md for building it and
/// converting the random checkpoint to its layout.
///
/// Run: dotnet run -c Release --project bench/Kinema.Bench -- wan-step [--model DIR] [--size 416x240x17]
///      [--steps 3] [--warmup 1] [--text-tokens 512] [--dtype float32|bfloat16] [--threads 2]
///      [--sdcpp BIN --sdcpp-model FILE [--sdcpp-args "..."]] [--out NAME] [--prepare-only] [--block-offload]
/// </summary>
public static class WanStepBench
{
    public static int Run(string[] args)
    {
        string? model = Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null;
        string randomDir = Program.Option(args, "--random-dir", Path.Combine(Path.GetTempPath(), "kinema-wan-step-1.3B"));
        var size = Program.Option(args, "--size", "416x240x17").Split('x').Select(int.Parse).ToArray();
        int width = size[0], height = size[1], frames = size[2];
        int steps = int.Parse(Program.Option(args, "--steps", "3"), CultureInfo.InvariantCulture);
        int warmup = int.Parse(Program.Option(args, "--warmup", "1"), CultureInfo.InvariantCulture);
        bool prepareOnly = args.Contains("--prepare-only");
        bool withPeer = Program.Option(args, "--sdcpp", "").Length > 0;
        // sd.cpp run without a text encoder conditions on zeros of 256 text tokens; match it when it is the peer.
        int textTokens = int.Parse(Program.Option(args, "--text-tokens", withPeer ? SdCppTextTokens.ToString(CultureInfo.InvariantCulture) : "512"), CultureInfo.InvariantCulture);
        int threads = int.Parse(Program.Option(args, "--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var dtype = Program.Option(args, "--dtype", "float32").ToLowerInvariant() switch
        {
            "float32" or "fp32" or "f32" => ScalarType.Float32,
            "bfloat16" or "bf16" => ScalarType.BFloat16,
            var d => throw new ArgumentException($"--dtype must be float32 or bfloat16, got {d}"),
        };
        string outName = Program.Option(args, "--out", "wan-step");
        string? sdcpp = Program.Option(args, "--sdcpp", "") is { Length: > 0 } s ? s : null;
        string? sdcppModel = Program.Option(args, "--sdcpp-model", "") is { Length: > 0 } sm ? sm : null;
        string sdcppArgs = Program.Option(args, "--sdcpp-args", "");
        if ((sdcpp is null) != (sdcppModel is null))
            throw new ArgumentException("the peer needs both --sdcpp BIN and --sdcpp-model FILE (the converted transformer, tools/wan-bench/to_sdcpp.py)");
        if (sdcpp is not null && !File.Exists(sdcpp)) throw new FileNotFoundException($"--sdcpp: no such program {sdcpp}", sdcpp);
        if (sdcppModel is not null && !File.Exists(sdcppModel)) throw new FileNotFoundException($"--sdcpp-model: no such file {sdcppModel}", sdcppModel);
        int peerTimeoutSeconds = int.Parse(Program.Option(args, "--sdcpp-timeout", "7200"), CultureInfo.InvariantCulture);
        if (width % 16 != 0 || height % 16 != 0 || (frames - 1) % 4 != 0)
            throw new ArgumentException($"--size WxHxF needs W, H multiples of 16 and F = 1 + 4k, got {width}x{height}x{frames}");

        torch.set_num_threads(threads);
        string loadBefore = LoadAverage();

        if (model is null)
        {
            model = randomDir;
            if (!File.Exists(Path.Combine(model, "transformer", "config.json")))
            {
                Console.WriteLine($"writing a random 1.3B transformer (bf16) to {model} ...");
                var clock0 = Stopwatch.StartNew();
                RandomWanFolder.WriteModelIndex(model, WanVariant.T2V1_3B);
                RandomWanFolder.WriteTransformer(Path.Combine(model, WanModelIndex.Transformer), WanTransformerConfig.T2V1_3B);
                Console.WriteLine($"  written in {clock0.Elapsed.TotalSeconds:0.0} s");
            }
            // sd.cpp refuses to start without VAE weights (it decodes after sampling); give it the random 2.1 VAE.
            if ((withPeer || prepareOnly) && !File.Exists(Path.Combine(model, "vae", "config.json")))
                VaeRandomWriter.Write(Path.Combine(model, WanModelIndex.Vae), WanVaeConfig.Wan21);
        }
        if (prepareOnly)
        {
            Console.WriteLine($"prepared {model} (transformer bf16, vae f32); convert it with tools/wan-bench/to_sdcpp.py");
            return 0;
        }
        string? vaeForPeer = Path.Combine(model, "vae", "diffusion_pytorch_model.safetensors") is var v && File.Exists(v) ? v : null;

        // 1. Matmul peak, measured before the model occupies memory.
        double peakFp32 = MatmulPeak(ScalarType.Float32);
        double? peakBf16 = dtype == ScalarType.BFloat16 ? MatmulPeak(ScalarType.BFloat16) : null;
        double peak = dtype == ScalarType.BFloat16 ? peakBf16!.Value : peakFp32;
        Console.WriteLine($"matmul peak (2048^3, {threads} threads): fp32 {peakFp32 / 1e9:0.0} GFLOP/s" + (peakBf16 is double b ? $", bf16 {b / 1e9:0.0} GFLOP/s" : ""));

        var folder = WanModelFolder.Open(model);
        var config = folder.LoadTransformerConfig();
        long latentFrames = (frames - 1) / 4 + 1, latentH = height / 8, latentW = width / 8;
        long tokens = latentFrames / config.PatchSize[0] * (latentH / config.PatchSize[1]) * (latentW / config.PatchSize[2]);
        PeerRun? peer = null;
        double? peerMedianMs = null;
        // 2. Peer first (its own process, which exits before Kinema loads, so the two never share memory).
        if (sdcpp is not null && sdcppModel is not null)
        {
            peer = RunSdCpp(sdcpp, sdcppModel, sdcppArgs, vaeForPeer, width, height, frames, warmup + steps, threads, TimeSpan.FromSeconds(peerTimeoutSeconds));
            if (peer.StepSeconds.Count <= warmup)
                throw new InvalidOperationException($"the peer {sdcpp} exited with code {peer.ExitCode} after {peer.StepSeconds.Count} timed steps (needs more than {warmup}); its log ends:\n{peer.LogTail}");
            // sd.cpp's first sampling step includes graph allocation: skip `warmup` steps as for Kinema.
            var timed = peer.StepSeconds.Skip(warmup).Select(x => x * 1000).ToList();
            peerMedianMs = timed.Count > 0 ? Median(timed) : null;
            Console.WriteLine($"sd.cpp: exit {peer.ExitCode}, steps [{string.Join(", ", peer.StepSeconds.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)))}] s, "
                + $"median {(peerMedianMs is double pm ? (pm / 1000).ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} s/step, peak RSS {peer.PeakRssMiB:0} MiB");
        }
        string loadAfterPeer = LoadAverage();

        // 3. Kinema: load only the transformer, time guided steps.
        var clock = Stopwatch.StartNew();
        bool blockOffload = args.Contains("--block-offload");
        var transformer = folder.LoadTransformer(dtype, blockOffload: blockOffload);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        double peakAfterLoad = Program.PeakRssMiB();
        double rssAfterLoad = Program.RssMiB();

        var (tf, th, tw) = transformer.TokenGrid(latentFrames, latentH, latentW);
        if (tf * th * tw != tokens) throw new InvalidOperationException("token count mismatch");
        double flopsPerForward = ForwardFlops(config, tokens, textTokens);
        Console.WriteLine($"Kinema: {config.NumLayers} blocks, dim {config.InnerDim}, {dtype}{(blockOffload ? " (blocks stored BFloat16, offloaded)" : "")}, latents 16x{latentFrames}x{latentH}x{latentW} = {tokens} tokens, "
            + $"{textTokens} text tokens, {flopsPerForward / 1e12:0.000} TFLOP/forward; loaded in {loadSeconds:0.0} s, peak RSS {peakAfterLoad:0} MiB");

        // The pipeline's own denoising loop (WanDenoiser, as WanPipeline runs it), timed step by step.
        var stepMs = new List<double>();
        using (var guard = inference_mode())
        using (var scope = NewDisposeScope())
        {
            using var gen = new Generator(0);
            var latents = randn(new long[] { 1, config.InChannels, latentFrames, latentH, latentW }, generator: gen);
            var cond = randn(new long[] { 1, textTokens, config.TextDim }, generator: gen).Times(0.1);
            var uncond = randn(new long[] { 1, textTokens, config.TextDim }, generator: gen).Times(0.1);
            using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan21);
            var c = Stopwatch.StartNew();
            var final = WanDenoiser.Denoise(transformer, scheduler, latents, cond, uncond, warmup + steps, guidance: 5.0, shift: 3.0,
                expandTimesteps: false, afterStep: (i, _) =>
                {
                    double ms = c.Elapsed.TotalMilliseconds;
                    Console.WriteLine($"  {(i < warmup ? "warm-up" : "step")} {i + 1 - (i < warmup ? 0 : warmup)}: {ms / 1000:0.00} s ({ms / 2000:0.00} s/forward), RSS {Program.RssMiB():0} MiB, peak {Program.PeakRssMiB():0} MiB, live tensors {TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
                    if (i >= warmup) stepMs.Add(ms);
                    c.Restart();
                });
            if (!final.isfinite().all().item<bool>()) throw new InvalidOperationException("non-finite output");
        }
        transformer.Dispose();
        double kinemaMedian = Median(stepMs);
        double kinemaPeak = Program.PeakRssMiB();
        double achieved = 2 * flopsPerForward / (kinemaMedian / 1000);
        string loadAfterKinema = LoadAverage();
        Console.WriteLine($"Kinema: median {kinemaMedian / 1000:0.00} s/step (2 forwards), {achieved / 1e9:0.0} GFLOP/s = {achieved / peak:P0} of the matmul peak; peak RSS {kinemaPeak:0} MiB");

        // The peak again, after both runs: the background load on a shared machine changes over minutes.
        double peakFp32End = MatmulPeak(ScalarType.Float32);
        Console.WriteLine($"matmul peak fp32 at the end: {peakFp32End / 1e9:0.0} GFLOP/s");
        if (peerMedianMs is double pmed)
            Console.WriteLine($"ratio Kinema / sd.cpp (time per step): {kinemaMedian / pmed:0.00}");
        var result = new
        {
            benchmark = "wan-step",
            date = DateTime.UtcNow,
            machine = new { cores = Environment.ProcessorCount, threads, load_average_before = loadBefore, load_average_after_peer = loadAfterPeer, load_average_after_kinema = loadAfterKinema, load_average_end = LoadAverage() },
            model = new { folder = model, variant = "Wan 2.1 T2V 1.3B (random weights)", blocks = config.NumLayers, dim = config.InnerDim, ffn_dim = config.FfnDim },
            shape = new { width, height, frames, latent = new[] { config.InChannels, latentFrames, latentH, latentW }, tokens, text_tokens = textTokens },
            timed = "one denoising step of the pipeline's loop (WanDenoiser): two batch-1 transformer forwards (classifier-free guidance), the guidance combine and one UniPC step",
            dtype = dtype.ToString(),
            block_offload = blockOffload,
            matmul_peak_gflops = new { fp32 = peakFp32 / 1e9, bf16 = peakBf16 / 1e9, fp32_at_end = peakFp32End / 1e9, note = "fractions of peak use the first (pre-run) measurement" },
            flops_per_forward = flopsPerForward,
            kinema = new
            {
                load_seconds = loadSeconds,
                warmup_steps = warmup,
                step_ms = stepMs,
                ms_per_step_median = kinemaMedian,
                achieved_gflops = achieved / 1e9,
                fraction_of_matmul_peak = achieved / peak,
                rss_after_load_mib = rssAfterLoad,
                peak_rss_after_load_mib = peakAfterLoad,
                peak_rss_mib = kinemaPeak,
            },
            peer = peer is null ? null : new
            {
                name = "stable-diffusion.cpp",
                command = peer.Command,
                exit_code = peer.ExitCode,
                note = "sampling only: killed after 'sampling completed' (VAE decode not run); no text encoder, so conditioned on zeros of 256 tokens; random f32 VAE passed with --vae (in its RSS only if loaded before sampling ends)",
                step_seconds_all = peer.StepSeconds,
                warmup_steps = warmup,
                ms_per_step_median = peerMedianMs,
                achieved_gflops = peerMedianMs is double p1 ? 2 * ForwardFlops(config, tokens, SdCppTextTokens) / (p1 / 1000) / 1e9 : (double?)null,
                fraction_of_matmul_peak = peerMedianMs is double p3 ? 2 * ForwardFlops(config, tokens, SdCppTextTokens) / (p3 / 1000) / peak : (double?)null,
                text_tokens = SdCppTextTokens,
                peak_rss_mib = peer.PeakRssMiB,
                log_tail = peer.LogTail,
            },
            ratio_kinema_over_peer = peerMedianMs is double p2 ? kinemaMedian / p2 : (double?)null,
        };
        string path = Path.Combine(Program.ResultsFolder(), outName + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(result, Kinema.IO.Json.Options));
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    /// <summary>
    /// Matmul FLOPs (2 per multiply-add) of one batch-1 forward of a Wan DiT over <paramref name="tokens"/> video
    /// tokens (L) and <paramref name="textTokens"/> text tokens (Lt); D = inner dim, F = ffn_dim, P = patch volume,
    /// C = in channels, Cout = out channels, T = text_dim, f = freq_dim, N = blocks:
    /// <code>
    ///   patch embed     2·L·(C·P)·D
    ///   text embedder   2·Lt·T·D + 2·Lt·D·D
    ///   time embedder   2·f·D + 2·D·D + 2·D·6D                     (one timestep, negligible)
    ///   per block:
    ///     self-attn     q,k,v,o 4 · 2·L·D·D;  scores QKᵀ 2·L·L·D;  weights·V 2·L·L·D
    ///     cross-attn    q,o 2 · 2·L·D·D;  k,v 2 · 2·Lt·D·D;  scores 2·L·Lt·D;  values 2·L·Lt·D
    ///     FFN           2·L·D·F + 2·L·F·D
    ///   head            2·L·D·(Cout·P)
    ///   total = above + N · per block
    /// </code>
    /// Norms, RoPE, softmax, GELU and modulation are elementwise and not counted.
    /// </summary>
    public static double ForwardFlops(WanTransformerConfig c, long tokens, long textTokens)
    {
        double L = tokens, Lt = textTokens, D = c.InnerDim, F = c.FfnDim, P = c.PatchVolume;
        double selfAttn = 4 * 2 * L * D * D + 2 * (2 * L * L * D);
        double crossAttn = 2 * 2 * L * D * D + 2 * 2 * Lt * D * D + 2 * (2 * L * Lt * D);
        double ffn = 2 * (2 * L * D * F);
        double perBlock = selfAttn + crossAttn + ffn;
        double embed = 2 * L * c.InChannels * P * D
            + 2 * Lt * c.TextDim * D + 2 * Lt * D * D
            + 2 * c.FreqDim * D + 2 * D * D + 2 * D * 6 * D;
        double head = 2 * L * D * c.ResolvedOutChannels * P;
        return embed + c.NumLayers * perBlock + head;
    }

    /// <summary>Best-of-10 FLOP/s of a 2048×2048 by 2048×2048 matmul after a warm-up.</summary>
    private static double MatmulPeak(ScalarType dtype, int n = 2048, int repeats = 10)
    {
        using var scope = NewDisposeScope();
        using var guard = inference_mode();
        var a = randn(new long[] { n, n }).to(dtype);
        var b = randn(new long[] { n, n }).to(dtype);
        matmul(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var c = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            best = Math.Min(best, c.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best;
    }

    private static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>Text length sd.cpp conditions on when it has no text encoder (zeros of 4096 x 256).</summary>
    public const int SdCppTextTokens = 256;

    private sealed record PeerRun(string Command, int ExitCode, List<double> StepSeconds, double PeakRssMiB, string LogTail);

    /// <summary>
    /// Runs sd.cpp's CLI in video mode with the diffusion model only (no text encoder: sd.cpp then conditions on
    /// zeros, 256 text tokens; no VAE given) and parses the per-step times from its verbose log.
    /// </summary>
    private static PeerRun RunSdCpp(string bin, string diffusionModel, string extra, string? vae, int width, int height, int frames, int steps, int threads, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(bin) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string outFile = Path.Combine(Path.GetTempPath(), $"kinema-wan-step-sdcpp-{Environment.ProcessId}.webm");
        var argv = new List<string>
        {
            "-M", "vid_gen", "--diffusion-model", diffusionModel, "-p", "a cat", "-n", "blurry",
            "--cfg-scale", "5.0", "--sampling-method", "euler", "--steps", steps.ToString(CultureInfo.InvariantCulture),
            "-W", width.ToString(CultureInfo.InvariantCulture), "-H", height.ToString(CultureInfo.InvariantCulture),
            "--video-frames", frames.ToString(CultureInfo.InvariantCulture), "--flow-shift", "3.0",
            "-t", threads.ToString(CultureInfo.InvariantCulture), "--seed", "0", "-v", "-o", outFile,
        };
        if (vae is not null && !extra.Contains("--vae ", StringComparison.Ordinal)) argv.AddRange(["--vae", vae]);
        argv.AddRange(SplitArgs(extra));
        foreach (var a in argv) info.ArgumentList.Add(a);
        string command = bin + " " + string.Join(" ", argv.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        Console.WriteLine($"running the peer: {command}");
        using var p = new Process { StartInfo = info };
        var log = new System.Text.StringBuilder();
        bool sampled = false;
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (log) log.AppendLine(line);
            if (line.Contains("sampling completed", StringComparison.Ordinal)) sampled = true;
        }
        p.OutputDataReceived += (_, e) => OnLine(e.Data);
        p.ErrorDataReceived += (_, e) => OnLine(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        double peakKiB = 0;
        var clock = Stopwatch.StartNew();
        bool killed = false;
        try
        {
            while (!p.WaitForExit(200))
            {
                if (clock.Elapsed > timeout) throw new TimeoutException($"the peer ran past --sdcpp-timeout ({timeout.TotalSeconds:0} s)");
                try
                {
                    foreach (var line in File.ReadLines($"/proc/{p.Id}/status"))
                        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                            peakKiB = Math.Max(peakKiB, double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
                }
                catch (IOException) { }
                // The step times are all printed once sampling completes; the VAE decode after it is not measured.
                if (sampled) { try { p.Kill(entireProcessTree: true); killed = true; } catch (InvalidOperationException) { } }
            }
            p.WaitForExit();
        }
        finally
        {
            // Never leave a multi-GiB peer running on the machine, whatever stopped this loop.
            if (!p.HasExited) { try { p.Kill(entireProcessTree: true); p.WaitForExit(); } catch (InvalidOperationException) { } }
            File.Delete(outFile);
        }
        string text;
        lock (log) text = log.ToString();
        var stepSeconds = ParseSdCppLog(text);
        string tail = string.Join("\n", text.Split('\n').Where(l => l.Length > 0).TakeLast(25));
        if ((p.ExitCode != 0 && !sampled) || stepSeconds.Count == 0) Console.WriteLine(tail);
        // Killed on purpose after sampling: report that, not the signal's exit code.
        return new PeerRun(command, killed ? 0 : p.ExitCode, stepSeconds, peakKiB / 1024, tail);
    }

    /// <summary>
    /// Per-step seconds from sd.cpp's progress bar, which prints "|====| i/n - X.XXs/it" (or "it/s") after each
    /// step (the wall time since the previous report); the last report for each step index wins.
    /// </summary>
    public static List<double> ParseSdCppLog(string text)
    {
        var perStep = new SortedDictionary<int, double>();
        foreach (Match m in Regex.Matches(text, @"\|\s*(\d+)/(\d+)\s*-\s*([0-9.]+)(s/it|it/s)"))
        {
            int i = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            double v = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            if (i == 0) continue;
            perStep[i] = m.Groups[4].Value == "s/it" ? v : 1 / v;
        }
        return perStep.Values.ToList();
    }

    private static IEnumerable<string> SplitArgs(string s) =>
        Regex.Matches(s, "\"([^\"]*)\"|(\\S+)").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
}
