using Kinema.Media;

namespace Kinema.World;

/// <summary>
/// Scores how well a video shows a requested scene, from its decoded pixels and the scene alone. The
/// judge renders the requested scene itself to learn what a faithful video looks like, measures the same
/// position-independent features (colour patches, their count, shape, motion; scenery class; camera
/// motion; temporal stability) on that reference and on the video, and scores their agreement. Features
/// are coarse on purpose so H.264 artifacts barely move them.
/// </summary>
public static class WorldJudge
{
    /// <summary>Criteria and their weights in <see cref="JudgeReport.Overall"/>.</summary>
    public static IReadOnlyDictionary<string, double> Weights { get; } = new Dictionary<string, double>
    {
        ["presence"] = 0.15,
        ["count"] = 0.10,
        ["shape"] = 0.13,
        ["motion"] = 0.15,
        ["background"] = 0.10,
        ["timeOfDay"] = 0.07,
        ["weather"] = 0.07,
        ["camera"] = 0.09,
        ["identity"] = 0.07,
        ["stability"] = 0.07,
    };

    /// <summary>Longest side the judge looks at; larger videos are area-averaged down by an integer factor.</summary>
    public const int AnalysisSide = 128;

    public static JudgeReport Judge(IReadOnlyList<RgbFrame> frames, double fps, Scene requested)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(requested);
        if (frames.Count == 0) throw new ArgumentException("the video has no frames", nameof(frames));
        if (!double.IsFinite(fps) || fps <= 0) throw new ArgumentOutOfRangeException(nameof(fps), fps, "fps must be a finite number > 0");
        var problems = requested.Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid scene: " + string.Join("; ", problems), nameof(requested));
        int width = frames[0].Width, height = frames[0].Height;
        if (frames.Any(f => f.Width != width || f.Height != height)) throw new ArgumentException("frames differ in size", nameof(frames));

        int factor = Math.Max(1, (int)Math.Ceiling(Math.Max(width, height) / (double)AnalysisSide));
        var video = frames.Select(f => PixelMath.Downsample(f, factor)).ToArray();
        int w = video[0].Width, h = video[0].Height;
        var expected = SceneRenderer.RenderUnchecked(requested, w, h, fps, video.Length, drawObjects: true, parallelism: Environment.ProcessorCount);
        var scenery = SceneRenderer.RenderUnchecked(requested, w, h, fps, video.Length, drawObjects: false, parallelism: Environment.ProcessorCount);

        var observedObjects = ObjectTracks.Measure(video, scenery, fps, requested);
        var expectedObjects = ObjectTracks.Measure(expected, scenery, fps, requested);
        var sceneryScores = SceneryClassifier.Classify(video, fps, requested);
        var criteria = new Dictionary<string, double>
        {
            ["presence"] = ObjectTracks.Presence(observedObjects, expectedObjects),
            ["count"] = ObjectTracks.Count(observedObjects, expectedObjects),
            ["shape"] = ObjectTracks.Shape(observedObjects, expectedObjects),
            ["motion"] = ObjectTracks.Motion(observedObjects, expectedObjects),
            ["background"] = sceneryScores.Background,
            ["timeOfDay"] = sceneryScores.TimeOfDay,
            ["weather"] = sceneryScores.Weather,
            ["camera"] = CameraScore(video, expected),
            ["identity"] = ObjectTracks.Identity(observedObjects, expectedObjects),
            ["stability"] = Stability(video, expected, observedObjects, expectedObjects),
        };
        var scaled = criteria.ToDictionary(c => c.Key, c => Math.Round(100 * Math.Clamp(c.Value, 0, 1), 2));
        double overall = Weights.Sum(wt => wt.Value * scaled[wt.Key]) / Weights.Values.Sum();
        return new JudgeReport(Math.Round(overall, 2), scaled, Weights, frames.Count, width, height, fps);
    }

    private static double CameraScore(RgbFrame[] video, RgbFrame[] expected)
    {
        var observed = CameraEstimator.Estimate(video);
        var reference = CameraEstimator.Estimate(expected);
        double mismatch = 0;
        for (int k = 0; k < observed.ShiftX.Length; k++)
        {
            double dx = (observed.ShiftX[k] - reference.ShiftX[k]) / 0.04, dy = (observed.ShiftY[k] - reference.ShiftY[k]) / 0.04;
            double dz = (observed.LogZoom[k] - reference.LogZoom[k]) / 0.05;
            mismatch += (dx * dx + dy * dy + dz * dz) / observed.ShiftX.Length;
        }
        // If no camera motion explains the video's frames as well as it explains the reference's, the estimate is meaningless (noise, a cut).
        double fit = Math.Exp(-Math.Max(0, observed.Error - reference.Error - 4) / 6);
        return Math.Exp(-mismatch / 2) * fit;
    }

    /// <summary>
    /// Penalises flicker (frame-to-frame change well beyond what the requested scene has) and objects
    /// popping in from nowhere (more patch births than the reference shows).
    /// </summary>
    private static double Stability(RgbFrame[] video, RgbFrame[] expected, ObjectTracks observed, ObjectTracks reference)
    {
        double observedChange = PixelMath.Percentile(FrameChanges(video), 0.9);
        double expectedChange = PixelMath.Percentile(FrameChanges(expected), 0.9);
        // Codec noise adds a level or two of change per frame; flicker is change well beyond that.
        double flicker = Math.Exp(-Math.Max(0, observedChange - expectedChange - 1.5) / 4);
        double extraBirths = Math.Max(0, observed.Births - reference.Births);
        return flicker / (1 + 0.25 * extraBirths);
    }

    /// <summary>
    /// Mean absolute change of 4x4-block-averaged grey between consecutive frames: block averages wash out
    /// codec noise but keep real flicker, cuts and noise.
    /// </summary>
    private static IEnumerable<double> FrameChanges(RgbFrame[] frames)
    {
        var previous = BlockLuma(frames[0]);
        for (int f = 1; f < frames.Length; f++)
        {
            var current = BlockLuma(frames[f]);
            double sum = 0;
            for (int i = 0; i < current.Length; i++) sum += Math.Abs(current[i] - previous[i]);
            yield return sum / current.Length;
            previous = current;
        }
        if (frames.Length == 1) yield return 0;
    }

    private static float[] BlockLuma(RgbFrame frame)
    {
        const int block = 4;
        int w = Math.Max(1, frame.Width / block), h = Math.Max(1, frame.Height / block);
        var luma = PixelMath.Luma(frame);
        var blocks = new float[w * h];
        for (int y = 0; y < h * block && y < frame.Height; y++)
            for (int x = 0; x < w * block && x < frame.Width; x++)
                blocks[y / block * w + x / block] += luma[y * frame.Width + x] / (block * block);
        return blocks;
    }
}
