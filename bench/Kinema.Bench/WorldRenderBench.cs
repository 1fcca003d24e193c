using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kinema.World;

namespace Kinema.Bench;

/// <summary>
/// Frames per second of the toy-world renderer at 128x128 (8 fps, 3 s clips of sampled scenes, per-clip
/// setup included), on one thread and on every core, in the same process so the two are comparable.
/// Writes bench/results/world-render.json.
/// </summary>
public static class WorldRenderBench
{
    public static int Run(string[] args)
    {
        int clips = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 300;
        var scenes = Enumerable.Range(0, clips).Select(i => SceneSampler.Sample(50_000 + i)).ToArray();
        var single = new RenderSettings { Width = 128, Height = 128, Fps = 8, Seconds = 3, MaxDegreeOfParallelism = 1 };
        var parallel = single with { MaxDegreeOfParallelism = Environment.ProcessorCount };

        // Warm up the JIT and caches on a few clips before timing.
        for (int i = 0; i < Math.Min(20, clips); i++) SceneRenderer.Render(scenes[i], parallel);

        // Alternate the two and keep each one's best run, so neither profits from running later.
        double singleFps = 0, parallelFps = 0;
        for (int round = 0; round < 2; round++)
        {
            singleFps = Math.Max(singleFps, Measure(scenes, single));
            parallelFps = Math.Max(parallelFps, Measure(scenes, parallel));
        }
        double ratio = parallelFps / singleFps;

        Console.WriteLine($"World renderer, 128x128, {clips} clips of {single.FrameCount} frames, {Environment.ProcessorCount} cores");
        Console.WriteLine("| threads | frames/s | vs 1 thread |");
        Console.WriteLine("|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| 1 | {singleFps:0} | 1.00x |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Environment.ProcessorCount} | {parallelFps:0} | {ratio:0.00}x |"));

        string directory = Path.Combine(FindRepoRoot(), "bench", "results");
        Directory.CreateDirectory(directory);
        var result = new
        {
            benchmark = "world-render",
            width = 128,
            height = 128,
            fps = single.Fps,
            seconds = single.Seconds,
            clips,
            framesPerClip = single.FrameCount,
            cores = Environment.ProcessorCount,
            singleThreadFramesPerSecond = Math.Round(singleFps, 1),
            allCoresFramesPerSecond = Math.Round(parallelFps, 1),
            speedupOverSingleThread = Math.Round(ratio, 3),
            runtime = Environment.Version.ToString(),
            date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        string path = Path.Combine(directory, "world-render.json");
        File.WriteAllText(path, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    private static double Measure(Scene[] scenes, RenderSettings settings)
    {
        long frames = 0;
        var clock = Stopwatch.StartNew();
        foreach (var scene in scenes) frames += SceneRenderer.Render(scene, settings).Length;
        return frames / clock.Elapsed.TotalSeconds;
    }

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Kinema.slnx"))) return directory.FullName;
        return Directory.GetCurrentDirectory();
    }
}
