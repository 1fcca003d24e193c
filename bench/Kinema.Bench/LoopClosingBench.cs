using System.Text.Json;
using Kinema.Pipelines;
using Kinema.World;

namespace Kinema.Bench;

/// <summary>
/// How a loop's closing pass is best shaped: for each variant (latent frames regenerated : latent frames of the start
/// given after them) on the same toy-world prompts and seeds, the seam (the loop's last frame into its first) over the
/// mean change, the same seam over the changes at the same place in a latent frame (the decoder steps unevenly inside
/// one), the join where the kept head meets the regenerated end, the largest step of the last two latent frames (a
/// correction that hid the seam's own step could still jolt the frames before it) against the largest step of the kept
/// head (what the clip's own steps reach with no seam), and the judge's score of the loop.
/// The peer is the pipeline's default variant, 2:2, run in the same invocation.
/// </summary>
public static class LoopClosingBench
{
    public static int Run(string[] args)
    {
        string folder = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        int first = int.Parse(Program.Option(args, "--first", "0"));
        int count = int.Parse(Program.Option(args, "--count", "9"));
        var variants = Program.Option(args, "--variants", "2:2,5:2").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split(':') is [var b, var w] ? (Blend: int.Parse(b), Wrap: int.Parse(w)) : throw new ArgumentException($"--variants: '{v}' is not BLEND:WRAP"))
            .ToList();
        string outName = Program.Option(args, "--out", "loop-closing");
        using var model = KinemaModel.Load(folder);
        int stride = model.Config.Vae.TemporalCompression;
        var rows = new List<object>();
        Console.WriteLine($"model {model.Name}, scenes {first}-{first + count - 1}");
        Console.WriteLine($"{"scene",5} {"blend:wrap",10} {"seam",6} {"same place",10} {"join",6} {"worst near seam",16} {"worst in head",14} {"judge",6}");
        for (int i = first; i < first + count; i++)
        {
            var scene = SceneSampler.Sample(8_000_000 + i); // the capabilities bench's scenes and seeds
            var request = new VideoRequest { Prompt = CaptionGenerator.Generate(scene, i), Seed = i };
            foreach (var (blend, wrap) in variants)
            {
                var result = new LoopPipeline(model).Generate(request, blendLatentFrames: blend, wrapLatentFrames: wrap);
                var loop = result.Frames;
                var closed = loop.Append(loop[0]).ToList();
                int keptHead = model.Config.Vae.PixelFrames(loop.Count / stride + 1 - blend);
                var ratios = CapabilityBench.SeamRatios(closed);
                double seam = ratios[loop.Count];
                double samePlace = CapabilityBench.JoinRatios(closed, [loop.Count], stride).SamePhaseRatio;
                double join = ratios[keptHead];
                double judge = WorldJudge.Judge(loop, result.Fps, scene).Overall;
                // A correction that hides the seam's own step could still jolt the frames before it: the largest of the
                // last two latent frames' steps and the seam's, over the mean.
                double nearSeam = ratios[^(2 * stride)..].Max();
                // The same largest step over the kept head, as first generated: what the clip's own steps reach with no seam.
                double inHead = ratios[1..keptHead].Max();
                Console.WriteLine($"{i,5} {$"{blend}:{wrap}",10} {seam,6:0.00} {samePlace,10:0.00} {join,6:0.00} {nearSeam,16:0.00} {inHead,14:0.00} {judge,6:0.0}");
                rows.Add(new { scene = i, blend, wrap, seam_ratio = seam, seam_same_place_ratio = samePlace, join_ratio = join, worst_near_seam_ratio = nearSeam, worst_head_ratio = inHead, judge });
            }
        }
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), outName + ".json"),
            JsonSerializer.Serialize(new { benchmark = "loop-closing", date = DateTime.UtcNow, model = model.Name, rows }, Kinema.IO.Json.Options));
        return 0;
    }
}
