using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.World;
using static TorchSharp.torch;

namespace Kinema.Bench;

/// <summary>
/// Generational loss of the VAE: rendered toy-world clips passed through encode and decode again and again, judged
/// against their scene after every round trip. It is why long videos keep their context as latents rather than
/// re-encoding decoded frames for every window (<see cref="StoryboardPipeline"/>). The judge's criteria after the first
/// round trip are the ceiling the VAE puts on any generated video: a transformer that produced the true clip's latents
/// exactly would score no higher. <c>--per-frame</c> codes every frame alone, as the causal VAE codes a clip's first
/// frame: the same spatial compression with none in time, which separates what the four-frame latent frames cost.
/// </summary>
public static class RoundTripBench
{
    public static int Run(string[] args)
    {
        string folder = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        int count = int.Parse(Program.Option(args, "--count", "4"));
        int rounds = Math.Max(1, int.Parse(Program.Option(args, "--rounds", "8")));
        bool perFrame = args.Contains("--per-frame");
        string output = Program.Option(args, "--out", perFrame ? "vae-round-trips-per-frame" : "vae-round-trips");
        using var model = KinemaModel.Load(folder);
        var d = model.Config.Defaults;
        int frameCount = model.Config.Vae.PixelFrames(model.Config.Vae.LatentFrames(5 * d.Fps));   // one judge window, whole latent frames
        using var inference = inference_mode();
        var rows = new List<object>();
        var ceiling = new List<IReadOnlyDictionary<string, double>>();
        var overallAfterOne = new List<double>();
        var psnrAfterOne = new List<double>();
        Console.WriteLine($"model {model.Name}, {count} scenes, {frameCount} frames at {d.Width}x{d.Height}{(perFrame ? ", every frame coded alone" : "")}; judge score after each round trip");
        for (int i = 0; i < count; i++)
        {
            var scene = SceneSampler.Sample(9_000_000 + i, SplitName.Train);
            IReadOnlyList<RgbFrame> frames = SceneRenderer.Render(scene, new RenderSettings { Width = d.Width, Height = d.Height, Fps = d.Fps, Seconds = (double)frameCount / d.Fps }).Take(frameCount).ToList();
            var scores = new List<double>();
            IReadOnlyDictionary<string, double>? afterOne = null;
            var original = frames;
            for (int k = 0; k <= rounds; k++)
            {
                var report = WorldJudge.Judge(frames, d.Fps, scene);
                scores.Add(Math.Round(report.Overall, 2));
                if (k == 1)
                {
                    afterOne = report.Criteria;
                    psnrAfterOne.Add(FrameMetrics.Psnr(original, frames));
                }
                if (k == rounds) break;
                frames = (perFrame ? frames.SelectMany(f => Once(model, [f])) : Once(model, frames)).Take(frameCount).ToList();
            }
            Console.WriteLine($"{i,5} {string.Join(" ", scores.Select(s => $"{s,6:0.0}"))}   PSNR after one {psnrAfterOne[^1]:0.00} dB");
            rows.Add(new { scene = i, scores, psnr_after_one_round_trip = Math.Round(psnrAfterOne[^1], 2), criteria_after_one_round_trip = afterOne });
            ceiling.Add(afterOne!);
            overallAfterOne.Add(scores[1]);
        }
        // The judge gives NaN to criteria it cannot score (motion with no object found); those clips sit out of that mean.
        var meanCeiling = WorldJudge.Weights.Keys.ToDictionary(k => k, k => Math.Round(ceiling.Select(c => c[k]).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average(), 1));
        double meanAfterOne = Math.Round(overallAfterOne.Average(), 2), meanPsnr = Math.Round(psnrAfterOne.Average(), 2);
        Console.WriteLine($"after one round trip: {meanAfterOne:0.0}, PSNR {meanPsnr:0.00} dB; " + string.Join(", ", meanCeiling.Select(kv => $"{kv.Key} {kv.Value:0.0}")));
        var options = new JsonSerializerOptions(Kinema.IO.Json.Options) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), output + ".json"),
            JsonSerializer.Serialize(new { benchmark = "vae-round-trips", date = DateTime.UtcNow, model = model.Name, frames = frameCount, per_frame = perFrame, mean_after_one_round_trip = meanAfterOne, mean_psnr_after_one_round_trip = meanPsnr,
                mean_criteria_after_one_round_trip = meanCeiling, rows }, options));
        return 0;
    }

    /// <summary>Frames encoded and decoded once by the model's VAE, as a pipeline keeps a given frame (call under inference mode).</summary>
    public static IReadOnlyList<RgbFrame> Once(KinemaModel model, IReadOnlyList<RgbFrame> frames)
    {
        using var scope = NewDisposeScope();
        return FrameConversion.ToFrames(model.Vae.Decode(ConditioningFrames.Encode(model, frames)));
    }
}
