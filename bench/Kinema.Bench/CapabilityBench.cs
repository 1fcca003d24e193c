using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.World;
using Kinema.World.Characters;

namespace Kinema.Bench;

/// <summary>
/// The measured targets of the capabilities, on toy-world prompts: seams of extensions (forward and backward), loops and transitions (mean
/// frame-to-frame change at the seam over the mean change elsewhere; target ≤ 1.5), editing (judge score
/// against the original and the new scene at low and high strength) and one-minute consistency (judge
/// score per 5-second window against the first window; target: no window more than 10 points lower). Extension and loop
/// seams are also given over the changes at the same place within a latent frame, since the decoder steps unevenly inside one.
/// Peers for the seams: the same pipelines with the seam correction off (same seeds), and the same ratio
/// measured on a ground-truth toy-world render, whose motion is smooth.
/// Characters (<c>--parts characters</c>): a reference clip of the scene's first object alone, through an H.264
/// file as a user's clip; the character made from it (its colour, shape and size read right or not); a video
/// generated from a prompt that names the character, judged against that one-object scene; and its peer, the same
/// prompt with the true description in place of the name (same seed), which is what the character can at best reach.
/// Images, animation from a given frame and storyboards (<c>--parts image,animate,storyboard</c>):
/// <see cref="ConditionedCapabilityParts"/>.
/// </summary>
public static class CapabilityBench
{
    public static int Run(string[] args)
    {
        string folder = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        int count = int.Parse(Program.Option(args, "--count", "3"));
        int first = int.Parse(Program.Option(args, "--first", "0"));
        double minuteSeconds = double.Parse(Program.Option(args, "--minute-seconds", "60"), System.Globalization.CultureInfo.InvariantCulture);
        string[] knownParts = ["seams", "edit", "minute", "characters", "image", "animate", "storyboard"];
        var parts = Program.Option(args, "--parts", "seams,edit,minute").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (parts.Except(knownParts).ToList() is { Count: > 0 } unknown)
            throw new ArgumentException($"--parts: unknown {string.Join(", ", unknown)}; choose from {string.Join(", ", knownParts)}");
        string outName = Program.Option(args, "--out", "capabilities");
        using var model = KinemaModel.Load(folder);
        var d = model.Config.Defaults;
        int stride = model.Config.Vae.TemporalCompression;
        var rows = new List<object>();
        Console.WriteLine($"model {model.Name}, {count} scenes");
        Console.WriteLine($"{"scene",5} {"extend seam",12} {"(raw)",6} {"loop seam",10} {"(raw)",6} {"connect seam",13} {"(raw)",6} {"truth seam",11} {"edit low→orig",14} {"edit high→new",14} {"worst window drop",18}");
        for (int i = first; i < first + count; i++)
        {
            var scene = SceneSampler.Sample(8_000_000 + i);
            var other = SceneSampler.Sample(8_100_000 + i);
            string caption = CaptionGenerator.Generate(scene, i), otherCaption = CaptionGenerator.Generate(other, i);
            var request = new VideoRequest { Prompt = caption, Seed = i };
            var truth = SceneRenderer.Render(scene, new RenderSettings { Width = d.Width, Height = d.Height, Fps = d.Fps, Seconds = 2 * d.Seconds });

            var generated = new Lazy<VideoResult>(() => new TextToVideoPipeline(model).Generate(request)); // the characters part does not need it
            double? extendSeam = null, extendSeamRaw = null, loopSeam = null, loopSeamRaw = null, connectSeam = null, connectSeamRaw = null, extendSamePlace = null, loopSamePlace = null, backwardSeam = null, backwardSamePlace = null;
            double truthSeam = SeamRatio(truth, truth.Length / 2);
            double[]? generatedRhythm = null;
            if (parts.Contains("seams"))
            {
                // The peer is the same pipeline with the seam correction off, run on the same seed.
                var extend = new ExtendRequest { Video = request, Source = generated.Value.Frames, SourceFps = generated.Value.Fps };
                var extended = new ExtendPipeline(model).Generate(extend).Frames;
                extendSeam = SeamRatio(extended, generated.Value.Frames.Count);
                // Over the new frames only: their latent grid starts at the seam, and the source's (4k frames) is offset from it.
                extendSamePlace = JoinRatios(extended.Skip(generated.Value.Frames.Count - 1).ToList(), [1], stride).SamePhaseRatio;
                extendSeamRaw = SeamRatio(new ExtendPipeline(model).Generate(extend with { CorrectSeam = false }).Frames, generated.Value.Frames.Count);
                // Backward: the new frames lead into the source's first frame.
                var backward = new ExtendPipeline(model).Generate(extend with { Backward = true }).Frames;
                int added = backward.Count - generated.Value.Frames.Count;
                // With one join, JoinRatios' ratio is the seam ratio.
                var backwardJoin = JoinRatios(backward, [added], stride);
                (backwardSeam, backwardSamePlace) = (backwardJoin.Ratio, backwardJoin.SamePhaseRatio);
                var loop = new LoopPipeline(model).Generate(request).Frames;
                var loopJoin = JoinRatios([.. loop, loop[0]], [loop.Count], stride);
                (loopSeam, loopSamePlace) = (loopJoin.Ratio, loopJoin.SamePhaseRatio);
                var loopRaw = new LoopPipeline(model).Generate(request, correctSeams: false).Frames;
                loopSeamRaw = SeamRatio([.. loopRaw, loopRaw[0]], loopRaw.Count);
                Console.WriteLine($"{i,5} backward extension seam {backwardSeam:0.00}; seams over the changes at the same place in a latent frame: extension {extendSamePlace:0.00}, backward {backwardSamePlace:0.00}, loop {loopSamePlace:0.00}");
                // A transition has two seams; the worse one counts.
                var second = new TextToVideoPipeline(model).Generate(request with { Prompt = otherCaption, Seed = i + 1000 });
                var connect = new ConnectRequest { Video = request with { Seconds = 1 }, First = generated.Value.Frames, Second = second.Frames, Fps = generated.Value.Fps };
                connectSeam = WorseSeam(new ConnectPipeline(model).Generate(connect).Frames, generated.Value.Frames.Count, second.Frames.Count);
                connectSeamRaw = WorseSeam(new ConnectPipeline(model).Generate(connect with { CorrectSeams = false }).Frames, generated.Value.Frames.Count, second.Frames.Count);
                // A forward extension's seam lands on a latent hand-over, so the text-to-video clip's own rhythm of steps
                // inside a latent frame bounds it from below (docs/training.md, session 22); the others land inside one (session 24).
                if (stride > 1 && Kinema.Training.Evaluation.LatentJudder.Measurable(generated.Value.Frames.Count, stride))
                {
                    generatedRhythm = Kinema.Training.Evaluation.LatentJudder.StepRhythm(generated.Value.Frames, stride);
                    Console.WriteLine($"{i,5} step rhythm of the text-to-video clip: {string.Join(", ", generatedRhythm.Select(r => r.ToString("0.00")))}");
                }
            }

            EditRow? edit = null;
            if (parts.Contains("edit"))
            {
                var source = generated.Value;
                VideoResult Edit(double strength) => new EditPipeline(model).Generate(new EditRequest { Video = request with { Prompt = otherCaption }, Source = source.Frames, SourceFps = source.Fps, Strength = strength });
                var (low, high) = (Edit(0.3), Edit(0.9));
                double Score(VideoResult v, Scene s) => WorldJudge.Judge(v.Frames, v.Fps, s).Overall;
                edit = new EditRow(Score(source, scene), Score(low, scene), Score(low, other), Score(high, scene), Score(high, other),
                    MeanDifference(low.Frames, source.Frames), MeanDifference(high.Frames, source.Frames));
            }
            double? lowToOriginal = edit?.LowVsOriginal, highToNew = edit?.HighVsNew;

            List<double> windows = [];
            double? worstDrop = null;
            JoinRow? joins = null;
            if (parts.Contains("minute"))
            {
                var windowEnds = new WindowEnds();
                var minute = new StoryboardPipeline(model).Generate(new StoryboardRequest { Cards = [new StoryboardCard(0, caption)], Seconds = minuteSeconds, Settings = request }, windowEnds);
                windows = WindowScores(minute.Frames, minute.Fps, scene);
                worstDrop = windows.Skip(1).Select(w => windows[0] - w).DefaultIfEmpty(0).Max();
                joins = JoinRatios(minute.Frames, windowEnds.Frames.Where(f => f < minute.Frames.Count).ToList(), stride);
                Console.WriteLine($"{i,5} minute: {joins.Count} window joins, change across them {joins.Ratio:0.00}x the change elsewhere, {joins.SamePhaseRatio:0.00}x at the same place in a latent frame");
            }
            CharacterRow? character = parts.Contains("characters") ? MeasureCharacter(model, scene, i) : null;
            var image = parts.Contains("image") ? ConditionedCapabilityParts.Image(model, scene, caption, i, generated.Value) : null;
            if (image is not null)
                Console.WriteLine($"{i,5} image: still score {image.Generated:0.0} (first frame of the video {image.FirstFrameOfVideo:0.0}, true first frame {image.TrueFirstFrame:0.0})");
            var animate = parts.Contains("animate") ? ConditionedCapabilityParts.Animate(model, scene, caption, i, generated.Value) : null;
            if (animate is not null)
                Console.WriteLine($"{i,5} animate: given first frame kept to {animate.FirstFrameDifference:0.0} levels (VAE alone {animate.VaeRoundTripDifference:0.0}), judged {animate.FirstFrameScore:0.0}; " +
                    $"given last frame reached to {animate.LastFrameDifference:0.0} levels, judged {animate.LastFrameScore:0.0}; text alone {animate.TextOnlyScore:0.0}");
            var storyboard = parts.Contains("storyboard") ? ConditionedCapabilityParts.Storyboard(model, scene, caption, other, otherCaption, i) : null;
            if (storyboard is not null)
                Console.WriteLine($"{i,5} storyboard: first card's objects in the second card's part {storyboard.EarlierObjectsPresence:0.0} " +
                    $"(second caption alone {storyboard.EarlierObjectsPresenceWithoutStoryboard:0.0}); second card's objects {storyboard.NewObjectsPresence:0.0} " +
                    $"(alone {storyboard.NewObjectsPresenceWithoutStoryboard:0.0}); second part judged {storyboard.Overall:0.0}");
            if (character is not null)
                Console.WriteLine($"{i,5} character: {character.Truth} read as {character.Read}; \"{character.ExpandedPrompt}\" judged {character.WithName.Overall:0.00} " +
                    $"(presence {character.WithName.Criteria["presence"]:0.0}, shape {character.WithName.Criteria["shape"]:0.0}); \"{character.TrueWordsPrompt}\" judged {character.WithTrueWords.Overall:0.00}");
            if (edit is not null)
                Console.WriteLine($"{i,5} edit: source {edit.SourceVsOriginal:0.0} vs its scene; 0.3 → original {edit.LowVsOriginal:0.0}, new {edit.LowVsNew:0.0}, " +
                    $"pixels moved {edit.LowPixelChange:0.0}; 0.9 → original {edit.HighVsOriginal:0.0}, new {edit.HighVsNew:0.0}, pixels moved {edit.HighPixelChange:0.0}");
            Console.WriteLine($"{i,5} {extendSeam,12:0.00} {extendSeamRaw,6:0.00} {loopSeam,10:0.00} {loopSeamRaw,6:0.00} {connectSeam,13:0.00} {connectSeamRaw,6:0.00} {truthSeam,11:0.00} {lowToOriginal,14:0.0} {highToNew,14:0.0} {worstDrop,18:0.0}");
            rows.Add(new { scene = i, caption, extend_seam_ratio = extendSeam, extend_seam_ratio_uncorrected = extendSeamRaw, extend_seam_same_place_ratio = extendSamePlace, extend_backward_seam_ratio = backwardSeam, extend_backward_seam_same_place_ratio = backwardSamePlace, loop_seam_ratio = loopSeam, loop_seam_same_place_ratio = loopSamePlace,
                loop_seam_ratio_uncorrected = loopSeamRaw, connect_seam_ratio = connectSeam, connect_seam_ratio_uncorrected = connectSeamRaw, ground_truth_seam_ratio = truthSeam, generated_step_rhythm = generatedRhythm,
                edit_low_strength_vs_original = lowToOriginal, edit_high_strength_vs_new = highToNew, edit, minute_window_scores = windows, minute_worst_drop = worstDrop,
                minute_joins = joins, character, image, animate, storyboard });
        }
        // The judge reports NaN for criteria it cannot score (e.g. motion with no object found): written as "NaN".
        var options = new JsonSerializerOptions(Kinema.IO.Json.Options) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), outName + ".json"),
            JsonSerializer.Serialize(new { benchmark = "capabilities", date = DateTime.UtcNow, model = model.Name, rows }, options));
        return 0;
    }

    /// <summary>
    /// An edit of a generated clip (the source) towards another scene's caption. The source's own score against its
    /// scene is what a low-strength edit can at best keep; the pixel differences say how much of the source survives
    /// independently of the judge.
    /// </summary>
    private sealed record EditRow(double SourceVsOriginal, double LowVsOriginal, double LowVsNew, double HighVsOriginal, double HighVsNew,
        double LowPixelChange, double HighPixelChange);

    /// <summary>Mean absolute difference (0-255) between two clips' frames, frame by frame.</summary>
    private static double MeanDifference(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b)
        => Enumerable.Range(0, Math.Min(a.Count, b.Count)).Average(i => a[i].MeanAbsoluteDifference(b[i]));

    private sealed record CharacterRow(string Truth, string Read, bool ColorRight, bool ShapeRight, bool SizeRight, string Prompt,
        string ExpandedPrompt, string TrueWordsPrompt, JudgeReport WithName, JudgeReport WithTrueWords);

    /// <summary>The character of scene i's first object, as a user makes and uses one (see the class summary).</summary>
    private static CharacterRow MeasureCharacter(KinemaModel model, Scene scene, int i)
    {
        var d = model.Config.Defaults;
        var subject = scene.Objects[0];
        var alone = scene with { Objects = [subject], Camera = CameraMotion.Static };
        string folder = Directory.CreateTempSubdirectory("kinema-bench-character-").FullName;
        try
        {
            string clipPath = Path.Combine(folder, "reference.mp4");
            var render = SceneRenderer.Render(alone, new RenderSettings { Width = d.Width, Height = d.Height, Fps = d.Fps, Seconds = 2 });
            VideoFile.Write(clipPath, render, new VideoWriteOptions { Fps = d.Fps });
            var clip = VideoFile.Read(clipPath);
            var appearance = CharacterAnalyzer.Analyze(clip.Frames, clip.Fps);
            var store = new CharacterStore(Path.Combine(folder, "store"));
            var character = store.Create("Rex", clipPath, appearance);

            string motion = CaptionVocabulary.Motion(subject.Motion)[0].One.Replace("{dir}", SceneSimulation.WalkDirection(subject) < 0 ? "left" : "right");
            string Prompt(string who) => $"{who} {motion} in {CaptionVocabulary.Background(alone.Background)[0]} {CaptionVocabulary.TimeOfDay(alone.TimeOfDay)[0]}, {CaptionVocabulary.Weather(alone.Weather)[0]}";
            string prompt = Prompt(character.Name);
            string expanded = CharacterPrompts.Expand(prompt, store.List()).Prompt;
            string trueWords = Prompt(CharacterAppearance.Describe(subject.Color, subject.Shape, subject.Size));
            var request = new VideoRequest { Prompt = expanded, Seed = 5000 + i };
            var withName = new TextToVideoPipeline(model).Generate(request);
            var withTrueWords = new TextToVideoPipeline(model).Generate(request with { Prompt = trueWords });
            return new CharacterRow(CharacterAppearance.Describe(subject.Color, subject.Shape, subject.Size), appearance.Description,
                appearance.Color == subject.Color, appearance.Shape == subject.Shape, appearance.Size == subject.Size, prompt, expanded, trueWords,
                WorldJudge.Judge(withName.Frames, withName.Fps, alone), WorldJudge.Judge(withTrueWords.Frames, withTrueWords.Fps, alone));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Mean absolute change between frames seam-1 and seam over the mean change between all other neighbours.</summary>
    public static double SeamRatio(IReadOnlyList<RgbFrame> frames, int seam) => SeamRatios(frames)[seam];

    /// <summary><see cref="SeamRatio"/> for every step at once (index i: frame i − 1 → i; index 0 unused), each frame pair compared once.</summary>
    public static double[] SeamRatios(IReadOnlyList<RgbFrame> frames)
    {
        var change = new double[frames.Count];
        for (int i = 1; i < frames.Count; i++) change[i] = frames[i - 1].MeanAbsoluteDifference(frames[i]);
        double total = change.Sum();
        int others = frames.Count - 2;
        return change.Select((c, i) => i == 0 ? double.NaN : c / Math.Max((total - c) / others, 1e-9)).ToArray();
    }

    /// <summary>The larger seam ratio of a clip made of a first part, a middle and a last part.</summary>
    private static double WorseSeam(IReadOnlyList<RgbFrame> frames, int firstCount, int lastCount)
        => Math.Max(SeamRatio(frames, firstCount), SeamRatio(frames, frames.Count - lastCount));

    /// <summary>The frame counts a long video reaches window by window (its denoising progress), so the joins can be found.</summary>
    private sealed class WindowEnds : IProgress<GenerationProgress>
    {
        public SortedSet<int> Frames { get; } = [];
        public void Report(GenerationProgress value) { if (value.Stage == GenerationStage.Denoising) Frames.Add(value.Step); }
    }

    /// <summary>
    /// How much the picture changes across the joins of windows (frame j−1 → j, j the first frame of a window), against
    /// every other frame and against the frames at the same place within a latent frame: the decoder changes frames in
    /// a rhythm of <paramref name="stride"/>, so the second ratio compares like with like.
    /// </summary>
    internal sealed record JoinRow(int Count, double Ratio, double SamePhaseRatio);

    internal static JoinRow JoinRatios(IReadOnlyList<RgbFrame> frames, List<int> joins, int stride)
    {
        var change = Enumerable.Range(1, frames.Count - 1).ToDictionary(i => i, i => frames[i - 1].MeanAbsoluteDifference(frames[i]));
        var joinSet = joins.ToHashSet();
        double atJoins = joins.Average(j => change[j]);
        double elsewhere = change.Where(c => !joinSet.Contains(c.Key)).Average(c => c.Value);
        var phases = joins.Select(j => (j - 1) % stride).ToHashSet();
        double samePhase = change.Where(c => !joinSet.Contains(c.Key) && phases.Contains((c.Key - 1) % stride)).Average(c => c.Value);
        return new JoinRow(joins.Count, atJoins / Math.Max(elsewhere, 1e-9), atJoins / Math.Max(samePhase, 1e-9));
    }

    private static List<double> WindowScores(IReadOnlyList<RgbFrame> frames, int fps, Scene scene)
    {
        int window = 5 * fps;
        var scores = new List<double>();
        for (int start = 0; start + window <= frames.Count; start += window)
            scores.Add(WorldJudge.Judge(frames.Skip(start).Take(window).ToList(), fps, scene).Overall);
        return scores;
    }
}
