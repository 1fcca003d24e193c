using System.Diagnostics;
using System.Text.Json;
using Kinema.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Bench;

/// <summary>
/// Peak resident memory of VAE decoding for growing durations, chunked (one or four latent frames at a
/// time) against whole-video decoding (the peer). Each measurement runs in a fresh child
/// process so peaks do not mix. Decoded frames are converted to 8-bit and dropped as they arrive, so the
/// numbers are the decoder's own working memory. With <c>--windowed</c> it also runs whole long generations
/// (<see cref="StoryboardPipeline"/>: sampling, decoding, the frames kept as the output), whose peak should grow
/// with the duration only by the output's own bytes.
/// </summary>
public static class DecodeMemoryBench
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--child") return Child(args);
        string folder = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        var durations = Program.Option(args, "--seconds", "4,15,60").Split(',').Select(double.Parse).ToArray();
        int wholeLimit = int.Parse(Program.Option(args, "--whole-up-to", "15"));
        string[] modes = args.Contains("--windowed") ? ["chunked", "chunked4", "whole", "windowed"] : ["chunked", "chunked4", "whole"];
        Console.WriteLine($"{"seconds",8} {"mode",8} {"frames",7} {"peak MiB",9} {"time s",7} {"output MiB",10}");
        var rows = new List<object>();
        foreach (double seconds in durations)
            foreach (var mode in modes)
            {
                if (mode == "whole" && seconds > wholeLimit) continue;
                var (peak, time, frames, outputMiB) = RunChild(folder, mode, seconds);
                Console.WriteLine($"{seconds,8} {mode,8} {frames,7} {peak,9:0} {time,7:0.0} {outputMiB,10:0.0}");
                rows.Add(new { seconds, mode, frames, peak_rss_mib = peak, seconds_taken = time, output_frames_mib = outputMiB });
            }
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), "decode-memory.json"),
            JsonSerializer.Serialize(new { benchmark = "decode-memory", date = DateTime.UtcNow, rows }, Kinema.IO.Json.Options));
        return 0;
    }

    private static (double Peak, double Time, int Frames, double OutputMiB) RunChild(string folder, string mode, double seconds)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet Kinema.Bench.dll` the host needs the assembly path; the apphost does not.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in new[] { "decode-memory", "--child", folder, mode, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string line = p.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
        p.WaitForExit();
        var parts = line.Split(' ');
        return (double.Parse(parts[0]), double.Parse(parts[1]), int.Parse(parts[2]), double.Parse(parts[3]));
    }

    private static int Child(string[] args)
    {
        string folder = args[1], mode = args[2];
        double seconds = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        using var model = KinemaModel.Load(folder);
        var clock = Stopwatch.StartNew();
        int frames = 0;
        double outputMiB = 0;
        if (mode == "windowed")
        {
            var video = new StoryboardPipeline(model).Generate(new StoryboardRequest { Cards = [new StoryboardCard(0, "a red ball bounces on green grass")], Seconds = seconds, Settings = new VideoRequest { Prompt = "x" } });
            frames = video.Frames.Count;
            outputMiB = video.Frames.Sum(f => (double)f.Pixels.Length) / (1 << 20);
        }
        else
        {
            var resolved = VideoRequestValidator.Resolve(new VideoRequest { Prompt = "x", Seconds = seconds }, model.Config);
            int s = model.Config.Vae.SpatialCompression;
            using var guard = inference_mode();
            using var latents = randn(new long[] { 1, model.Config.Vae.LatentChannels, resolved.LatentFrames, resolved.Height / s, resolved.Width / s });
            clock.Restart();
            if (mode == "whole")
            {
                using var video = model.Vae.DecodeWhole(latents);
                frames = FrameConversion.ToFrames(video).Count;
            }
            else
            {
                int perChunk = mode == "chunked4" ? 4 : 1;
                model.Vae.DecodeChunked(latents, chunk => frames += FrameConversion.ToFrames(chunk).Count, perChunk);
            }
        }
        Console.WriteLine($"{Program.PeakRssMiB():0.0} {clock.Elapsed.TotalSeconds:0.00} {frames} {outputMiB:0.00}");
        return 0;
    }
}
