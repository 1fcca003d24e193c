using Kinema.Media;
using Kinema.Pipelines;
using Kinema.World;
using TorchSharp;

namespace Kinema.Bench;

/// <summary>
/// The capabilities whose quality is about what they are given or what they keep, measured on one toy-world scene
/// each (parts of <see cref="CapabilityBench"/>):
/// <list type="bullet">
/// <item><c>image</c>: a generated still, judged on the criteria a still can show; peers: the scene's true first frame
/// (the ceiling) and the first frame of the same model's video for the same caption and seed.</item>
/// <item><c>animate</c>: the scene's true first frame (and, separately, its last frame) given to
/// <see cref="AnimatePipeline"/>: how far the output's end frame is from the given image, and the judge's score of the
/// clip; peer: text-to-video of the same caption and seed.</item>
/// <item><c>storyboard</c>: card 1 is scene A's caption, card 2 (at half time) another scene B's. Whether A's objects
/// persist into B's part (the judge's presence of A's objects there) against the same measure on text-to-video of B's
/// caption alone, and whether B's objects arrive (their presence in B's part).</item>
/// </list>
/// </summary>
internal static class ConditionedCapabilityParts
{
    /// <summary>The criteria a still image can satisfy: objects' colours, count and shape, and the scenery.</summary>
    private static readonly string[] StillCriteria = ["presence", "count", "shape", "background", "timeOfDay", "weather"];

    public sealed record ImageRow(double Generated, double FirstFrameOfVideo, double TrueFirstFrame, IReadOnlyDictionary<string, double> GeneratedCriteria);

    public sealed record AnimateRow(double FirstFrameDifference, double LastFrameDifference, double VaeRoundTripDifference, double FirstFrameScore, double LastFrameScore, double TextOnlyScore);

    public sealed record StoryboardRow(double EarlierObjectsPresence, double EarlierObjectsPresenceWithoutStoryboard, double NewObjectsPresence,
        double NewObjectsPresenceWithoutStoryboard, double Overall);

    /// <param name="video">Text-to-video of the same caption and seed.</param>
    public static ImageRow Image(KinemaModel model, Scene scene, string caption, int seed, VideoResult video)
    {
        var d = model.Config.Defaults;
        var (image, _) = new ImagePipeline(model).Generate(new VideoRequest { Prompt = caption, Seed = seed });
        var truth = SceneRenderer.Render(scene, new RenderSettings { Width = d.Width, Height = d.Height, Fps = d.Fps, Seconds = 1 });
        var generated = JudgeStill(image, d.Fps, scene);
        return new ImageRow(StillScore(generated), StillScore(JudgeStill(video.Frames[0], d.Fps, scene)), StillScore(JudgeStill(truth[0], d.Fps, scene)),
            StillCriteria.ToDictionary(c => c, c => Math.Round(generated.Criteria[c], 1)));
    }

    /// <param name="textOnly">Text-to-video of the same caption and seed.</param>
    public static AnimateRow Animate(KinemaModel model, Scene scene, string caption, int seed, VideoResult textOnly)
    {
        var d = model.Config.Defaults;
        var request = new VideoRequest { Prompt = caption, Seed = seed };
        var truth = SceneRenderer.Render(scene, new RenderSettings { Width = d.Width, Height = d.Height, Fps = d.Fps, Seconds = d.Seconds });
        var pipeline = new AnimatePipeline(model);
        var fromFirst = pipeline.Generate(new AnimateRequest { Video = request, FirstFrame = truth[0] });
        var toLast = pipeline.Generate(new AnimateRequest { Video = request, LastFrame = truth[^1] });
        return new AnimateRow(fromFirst.Frames[0].MeanAbsoluteDifference(truth[0]), toLast.Frames[^1].MeanAbsoluteDifference(truth[^1]), VaeRoundTrip(model, truth[0]).MeanAbsoluteDifference(truth[0]),
            WorldJudge.Judge(fromFirst.Frames, fromFirst.Fps, scene).Overall, WorldJudge.Judge(toLast.Frames, toLast.Fps, scene).Overall,
            WorldJudge.Judge(textOnly.Frames, textOnly.Fps, scene).Overall);
    }

    public static StoryboardRow Storyboard(KinemaModel model, Scene first, string firstCaption, Scene second, string secondCaption, int seed)
    {
        var d = model.Config.Defaults;
        double half = d.Seconds;
        var settings = new VideoRequest { Prompt = firstCaption, Seed = seed };
        var board = new StoryboardPipeline(model).Generate(new StoryboardRequest
        {
            Cards = [new StoryboardCard(0, firstCaption), new StoryboardCard(half, secondCaption)],
            Seconds = 2 * half,
            Settings = settings,
        });
        var secondPart = board.Frames.Skip((int)Math.Round(half * board.Fps)).ToList();
        var alone = new TextToVideoPipeline(model).Generate(settings with { Prompt = secondCaption, Seed = seed + 1 });
        // A's objects under B's scenery and light: what the second part shows if A's objects stayed.
        var earlierObjects = second with { Objects = first.Objects };
        double Presence(IReadOnlyList<RgbFrame> frames, Scene scene) => WorldJudge.Judge(frames, board.Fps, scene).Criteria["presence"];
        return new StoryboardRow(Presence(secondPart, earlierObjects), Presence(alone.Frames, earlierObjects), Presence(secondPart, second), Presence(alone.Frames, second),
            WorldJudge.Judge(secondPart, board.Fps, second).Overall);
    }

    /// <summary>The image through the VAE alone: what any pipeline that keeps it as a clean latent frame can at best return.</summary>
    private static RgbFrame VaeRoundTrip(KinemaModel model, RgbFrame image)
    {
        using var inference = torch.inference_mode();
        return RoundTripBench.Once(model, [image])[0];
    }

    /// <summary>One second of the image held still, judged against the scene (whose first second barely moves).</summary>
    private static JudgeReport JudgeStill(RgbFrame image, int fps, Scene scene) => WorldJudge.Judge(Enumerable.Repeat(image, fps).ToList(), fps, scene);

    /// <summary>The judge's weighted mean over <see cref="StillCriteria"/> only.</summary>
    private static double StillScore(JudgeReport report)
        => StillCriteria.Sum(c => WorldJudge.Weights[c] * report.Criteria[c]) / StillCriteria.Sum(c => WorldJudge.Weights[c]);
}
