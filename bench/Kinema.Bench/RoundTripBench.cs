using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.World;
using static TorchSharp.torch;

namespace Kinema.Bench;

/// <summary>
/// Generational loss of the VAE: rendered toy-world clips passed through encode and decode again and again, judged
/// against their scene after every round trip. It is why long videos keep their context as latents rather than
/// re-encoding decoded frames for every window (<see cref="StoryboardPipeline"/>).
/// </summary>
public static class RoundTripBench
{
    public static int Run(string[] args)
    {
        string folder = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        int count = int.Parse(Program.Option(args, "--count", "4"));
        int rounds = int.Parse(Program.Option(args, "--rounds", "8"));
        using var model = KinemaModel.Load(folder);
        var d = model.Config.Defaults;
        int frameCount = model.Config.Vae.PixelFrames(model.Config.Vae.LatentFrames(5 * d.Fps));   // one judge window, whole latent frames
        using var inference = inference_mode();
        var rows = new List<object>();
        Console.WriteLine($"model {model.Name}, {count} scenes, {frameCount} frames at {d.Width}x{d.Height}; judge score after each round trip");
        for (int i = 0; i < count; i++)
        {
            var scene = SceneSampler.Sample(9_000_000 + i, SplitName.Train);
            IReadOnlyList<RgbFrame> frames = SceneRenderer.Render(scene, new RenderSettings { Width = d.Width, Height = d.Height, Fps = d.Fps, Seconds = (double)frameCount / d.Fps }).Take(frameCount).ToList();
            var scores = new List<double>();
            for (int k = 0; k <= rounds; k++)
            {
                scores.Add(Math.Round(WorldJudge.Judge(frames, d.Fps, scene).Overall, 2));
                if (k == rounds) break;
                using var scope = NewDisposeScope();
                frames = FrameConversion.ToFrames(model.Vae.Decode(ConditioningFrames.Encode(model, frames))).Take(frameCount).ToList();
            }
            Console.WriteLine($"{i,5} {string.Join(" ", scores.Select(s => $"{s,6:0.0}"))}");
            rows.Add(new { scene = i, scores });
        }
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), "vae-round-trips.json"),
            JsonSerializer.Serialize(new { benchmark = "vae-round-trips", date = DateTime.UtcNow, model = model.Name, frames = frameCount, rows }, Kinema.IO.Json.Options));
        return 0;
    }
}
