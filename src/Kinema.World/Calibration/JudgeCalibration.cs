using System.Globalization;
using System.Text;
using Kinema.Media;

namespace Kinema.World;

/// <summary>Mean judge scores per criterion under one condition.</summary>
public sealed record CalibrationColumn(string Condition, IReadOnlyDictionary<string, double> Criteria, double Overall);

public sealed record CalibrationTable(int Count, RenderSettings Settings, IReadOnlyList<CalibrationColumn> Columns)
{
    /// <summary>A Markdown table: one row per criterion plus overall, one column per condition.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Judge calibration over {Count} sampled scenes, {Settings.Width}x{Settings.Height}, {Settings.Fps:0.##} fps, {Settings.Seconds:0.##} s.\n\n");
        text.Append("| criterion | ").Append(string.Join(" | ", Columns.Select(c => c.Condition))).Append(" |\n");
        text.Append("|---|").Append(string.Concat(Columns.Select(_ => "---:|"))).Append('\n');
        foreach (var criterion in WorldJudge.Weights.Keys)
            text.Append(CultureInfo.InvariantCulture, $"| {criterion} | ").Append(string.Join(" | ", Columns.Select(c => c.Criteria[criterion].ToString("0.0", CultureInfo.InvariantCulture)))).Append(" |\n");
        text.Append("| **overall** | ").Append(string.Join(" | ", Columns.Select(c => c.Overall.ToString("0.0", CultureInfo.InvariantCulture)))).Append(" |\n");
        return text.ToString();
    }
}

/// <summary>
/// Measures the judge against known answers: ground-truth renders (raw and after a lossy codec round
/// trip), renders judged against a different random scene, and uniform noise. The "chance" column is
/// not a judge score: it is how often the two scenes of a mismatched pair agree on each criterion,
/// i.e. what a perfect judge would give to the mismatched pairs.
/// </summary>
public static class JudgeCalibration
{
    public const string GroundTruth = "ground truth";
    public const string Mismatched = "mismatched scene";
    public const string Chance = "chance (mismatched pairs agree)";
    public const string Noise = "noise";

    public static RenderSettings DefaultSettings { get; } = new() { Width = 128, Height = 128, Fps = 8, Seconds = 3 };

    /// <param name="count">Number of scenes (and of mismatched pairs and noise clips).</param>
    /// <param name="codecs">Named lossy round trips to also judge ground truth through, e.g. "ground truth, H.264 CRF 23".</param>
    public static CalibrationTable Run(int count, RenderSettings? settings = null, IReadOnlyList<(string Name, Func<RgbFrame[], double, RgbFrame[]> RoundTrip)>? codecs = null, int firstSeed = 7000)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1");
        settings ??= DefaultSettings;
        settings.Validate();
        codecs ??= [];
        var conditions = new List<string> { GroundTruth };
        conditions.AddRange(codecs.Select(c => c.Name));
        conditions.AddRange([Mismatched, Chance, Noise]);
        var sums = conditions.ToDictionary(c => c, _ => WorldJudge.Weights.Keys.ToDictionary(k => k, _ => 0.0));
        var overall = conditions.ToDictionary(c => c, _ => 0.0);

        for (int i = 0; i < count; i++)
        {
            var scene = SceneSampler.Sample(firstSeed + i);
            var other = SceneSampler.Sample(firstSeed + 100_000 + i);
            var frames = SceneRenderer.Render(scene, settings);
            Add(GroundTruth, WorldJudge.Judge(frames, settings.Fps, scene));
            foreach (var (name, roundTrip) in codecs) Add(name, WorldJudge.Judge(roundTrip(frames, settings.Fps), settings.Fps, scene));
            Add(Mismatched, WorldJudge.Judge(frames, settings.Fps, other));
            var chance = Agreement(actual: scene, requested: other);
            foreach (var (key, value) in chance) sums[Chance][key] += value;
            overall[Chance] += WorldJudge.Weights.Sum(w => w.Value * chance[w.Key]) / WorldJudge.Weights.Values.Sum();
            Add(Noise, WorldJudge.Judge(NoiseFrames(settings, seed: firstSeed + i), settings.Fps, scene));
        }
        var columns = conditions.Select(c => new CalibrationColumn(c,
            sums[c].ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / count, 1)), Math.Round(overall[c] / count, 1))).ToList();
        return new CalibrationTable(count, settings, columns);

        void Add(string condition, JudgeReport report)
        {
            foreach (var (key, value) in report.Criteria) sums[condition][key] += value;
            overall[condition] += report.Overall;
        }
    }

    /// <summary>Uniform random bytes, independent per frame.</summary>
    public static RgbFrame[] NoiseFrames(RenderSettings settings, int seed)
    {
        var frames = new RgbFrame[settings.FrameCount];
        for (int f = 0; f < frames.Length; f++)
        {
            var pixels = new byte[settings.Width * settings.Height * 3];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(SeededHash.Unit(seed, 90 + f, i) * 256);
            frames[f] = new RgbFrame(settings.Width, settings.Height, pixels);
        }
        return frames;
    }

    /// <summary>Per criterion, in [0, 100], how far the scene actually shown already satisfies the requested one.</summary>
    public static IReadOnlyDictionary<string, double> Agreement(Scene actual, Scene requested)
    {
        double PerObject(Func<SceneObject, bool> satisfied) => 100.0 * requested.Objects.Count(satisfied) / requested.Objects.Count;
        var actualColors = actual.Objects.Select(o => o.Color).ToHashSet();
        var requestedColors = requested.Objects.Select(o => o.Color).ToHashSet();
        bool noExtras = actualColors.IsSubsetOf(requestedColors);
        double count = PerObject(o => requested.Objects.Count(r => r.Color == o.Color) == actual.Objects.Count(a => a.Color == o.Color)) * (noExtras ? 1 : 0.5);
        return new Dictionary<string, double>
        {
            ["presence"] = PerObject(o => actualColors.Contains(o.Color)),
            ["count"] = count,
            ["shape"] = PerObject(o => actual.Objects.Any(a => a.Color == o.Color && a.Shape == o.Shape)),
            ["motion"] = PerObject(o => actual.Objects.Any(a => a.Color == o.Color && a.Motion == o.Motion)),
            ["background"] = actual.Background == requested.Background ? 100 : 0,
            ["timeOfDay"] = actual.TimeOfDay == requested.TimeOfDay ? 100 : 0,
            ["weather"] = actual.Weather == requested.Weather ? 100 : 0,
            ["camera"] = actual.Camera == requested.Camera ? 100 : 0,
            ["identity"] = PerObject(o => actualColors.Contains(o.Color)),
            ["stability"] = 100,
        };
    }
}
