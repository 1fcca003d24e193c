namespace Kinema.Bench;

/// <summary>
/// Benchmarks. Each prints a table and writes bench/results/NAME.json; speed claims are ratios against a
/// peer run in the same invocation. Run: dotnet run -c Release --project bench/Kinema.Bench -- NAME [options]
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, (string Description, Func<string[], int> Run)> Benchmarks = new()
    {
        ["generate"] = ("end-to-end generation at the model's default settings, 10 repeats: time, memory growth, live tensors", GenerateBench.Run),
        ["server-load"] = ("50 concurrent clients creating and polling jobs on kinema serve: failures, lost jobs, GET latency under load vs idle", ServerLoadBench.Run),
        ["decode-memory"] = ("peak memory of chunked vs whole-video VAE decoding as duration grows", DecodeMemoryBench.Run),
        ["character-reading"] = ("kinema character create's reading of toy-world clips through H.264: colour, shape and size read right, by weather", CharacterReadingBench.Run),
        ["loop-closing"] = ("loop seams, joins and judge score for closing-pass variants (latent frames regenerated : start frames given after them)", LoopClosingBench.Run),
        ["capabilities"] = ("seams of extensions and loops, editing by strength, one-minute consistency (judge per 5 s window)", CapabilityBench.Run),
        ["vae-round-trips"] = ("VAE generational loss: toy-world clips encoded and decoded again and again, judged after each round trip", RoundTripBench.Run),
        ["train-data"] = ("stage-2 training samples/s: clips rendered and encoded every step vs pooled scenes' latents read from a cache", TrainDataBench.Run),
        ["world-render"] = ("toy-world frames/s at 128x128, one thread vs all cores", WorldRenderBench.Run),
        ["policy"] = ("content policy on the committed corpora: benign prompts blocked (target 0), adversarial blocked (target >= 95%)", PolicyBench.Run),
        ["wan-step"] = ("Wan 2.1 1.3B DiT (random weights) per-step latency, peak RSS, FLOP/s vs a matmul peak on the CPU; optional stable-diffusion.cpp peer", WanStepBench.Run),
        ["watermark"] = ("invisible watermark: exact payload recovery and bit errors after H.264 CRF 28, 50% downscale, 10% crop, trim; PSNR cost", WatermarkBench.Run),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var bench))
        {
            Console.Error.WriteLine("usage: Kinema.Bench NAME [options]");
            foreach (var (name, (description, _)) in Benchmarks) Console.Error.WriteLine($"  {name,-16} {description}");
            return args.Length == 0 ? 0 : 2;
        }
        return bench.Run(args[1..]);
    }

    internal static string ResultsFolder()
    {
        // The binary's own checkout first; then the working folder's, for a build copied out of the tree and run inside one.
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Kinema.slnx")))
                    return Directory.CreateDirectory(Path.Combine(dir.FullName, "bench", "results")).FullName;
        return Directory.CreateDirectory("bench-results").FullName;
    }

    internal static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Peak resident memory of this process so far (VmHWM), in MiB.</summary>
    internal static double PeakRssMiB() => ReadStatusKiB("VmHWM") / 1024.0;

    internal static double RssMiB() => ReadStatusKiB("VmRSS") / 1024.0;

    private static long ReadStatusKiB(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0]);
        return 0;
    }
}
