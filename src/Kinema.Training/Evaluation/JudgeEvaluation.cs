using Kinema.Media;
using Kinema.Pipelines;
using Kinema.World;

namespace Kinema.Training.Evaluation;

/// <summary>
/// Mean judge scores of generated videos for prompts from one split, and how they change over time:
/// <list type="bullet">
/// <item><see cref="Judder"/>: <see cref="LatentJudder"/>'s mean change across latent-frame hand-overs over the mean
/// change inside latent frames, pooled over every video (null for clips too short to hold both);</item>
/// <item><see cref="MeanChange"/> against <see cref="TruthMeanChange"/>: mean absolute change (0-255) between
/// consecutive frames of the generated videos, and of the same scenes rendered by the toy world (null for single
/// frames). A decoder that spreads a jump over a latent frame's pixel frames lowers the judder but not the change;
/// only latent frames that agree with each other bring the change down towards the truth's.</item>
/// </list>
/// </summary>
public sealed record JudgeEvaluationReport(string Split, int Count, double MeanOverall, IReadOnlyDictionary<string, double> MeanCriteria, double SecondsPerVideo,
    double? Judder = null, double? MeanChange = null, double? TruthMeanChange = null);

/// <summary>
/// Prompt adherence of a model: sample scenes from a split, caption them, generate from the caption alone,
/// and score the pixels against the scene with the toy-world judge.
/// </summary>
public static class JudgeEvaluation
{
    public static JudgeEvaluationReport Run(KinemaModel model, SplitName split, int count, int seed, int? steps = null, double? guidance = null,
        string? sampleFolder = null, int samplesToKeep = 0, Action<int, double>? onVideo = null)
    {
        var pipeline = new TextToVideoPipeline(model);
        var overall = new List<double>();
        var criteria = new Dictionary<string, List<double>>();
        int temporalCompression = model.Config.Vae.TemporalCompression;
        double across = 0, inside = 0, change = 0, truthChange = 0;
        int measured = 0, moving = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var scene = SceneSampler.Sample(seed + i, split);
            string caption = CaptionGenerator.Generate(scene, seed + i, split);
            var result = pipeline.Generate(new VideoRequest { Prompt = caption, Seed = seed + i, Steps = steps, Guidance = guidance });
            var report = WorldJudge.Judge(result.Frames, result.Fps, scene);
            overall.Add(report.Overall);
            foreach (var (name, value) in report.Criteria) (criteria.TryGetValue(name, out var list) ? list : criteria[name] = []).Add(value);
            if (temporalCompression > 1 && LatentJudder.Measurable(result.Frames.Count, temporalCompression))
            {
                var changes = LatentJudder.MeanChanges(result.Frames, temporalCompression);
                across += changes.Across; inside += changes.Inside; measured++;
            }
            if (result.Frames.Count > 1)
            {
                var truth = SceneRenderer.Render(scene, new RenderSettings
                {
                    Width = result.Frames[0].Width, Height = result.Frames[0].Height, Fps = result.Fps, Seconds = result.Frames.Count / (double)result.Fps,
                });
                change += MeanChangePerFrame(result.Frames); truthChange += MeanChangePerFrame(truth); moving++;
            }
            onVideo?.Invoke(i, report.Overall);
            if (sampleFolder is not null && i < samplesToKeep)
            {
                Directory.CreateDirectory(sampleFolder);
                VideoFile.Write(Path.Combine(sampleFolder, $"{i:D2}.mp4"), result.Frames, new VideoWriteOptions { Fps = result.Fps, Comment = caption });
                File.WriteAllText(Path.Combine(sampleFolder, $"{i:D2}.txt"), $"{caption}\nscore {report.Overall:0.0}\n");
            }
        }
        return new JudgeEvaluationReport(split.ToString(), count, overall.Average(),
            criteria.ToDictionary(kv => kv.Key, kv => kv.Value.Average()), clock.Elapsed.TotalSeconds / count,
            measured > 0 ? across / Math.Max(inside, 1e-9) : null,
            moving > 0 ? change / moving : null, moving > 0 ? truthChange / moving : null);
    }

    private static double MeanChangePerFrame(IReadOnlyList<RgbFrame> frames) =>
        Enumerable.Range(1, frames.Count - 1).Average(i => frames[i - 1].MeanAbsoluteDifference(frames[i]));
}
