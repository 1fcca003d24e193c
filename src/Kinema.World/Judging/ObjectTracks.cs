using Kinema.Media;

namespace Kinema.World;

/// <summary>
/// The colour patches of a video, grouped by the named colours the requested scene asks for, plus counts
/// of patches in every other named colour (objects nobody asked for). Criteria compare a video's tracks
/// with the tracks of the judge's own render of the requested scene, using only features that do not
/// depend on where exactly an object starts.
/// </summary>
internal sealed class ObjectTracks
{
    private const double SceneryMargin = 28;

    private ObjectTracks(Group[] groups, double extraneous, int births, double fps, double shortSide)
    {
        Groups = groups;
        Extraneous = extraneous;
        Births = births;
        Fps = fps;
        ShortSide = shortSide;
    }

    public sealed record Group(NamedColor Color, int Requested, List<Blob>[] Frames)
    {
        /// <summary>The requested number of largest patches in a frame (more are extras, fewer are missing objects).</summary>
        public IEnumerable<Blob> Top(int frame) => Frames[frame].Take(Requested);
    }

    public Group[] Groups { get; }

    /// <summary>Median number of patches per frame in colours the scene did not ask for.</summary>
    public double Extraneous { get; }

    /// <summary>How often a requested object appeared from one frame to the next (counts capped at the requested number, so codec specks do not count).</summary>
    public int Births { get; }

    public double Fps { get; }
    public double ShortSide { get; }

    public static ObjectTracks Measure(IReadOnlyList<RgbFrame> frames, IReadOnlyList<RgbFrame> scenery, double fps, Scene requested)
    {
        int width = frames[0].Width, height = frames[0].Height;
        var requestedCounts = requested.Objects.GroupBy(o => o.Color).ToDictionary(g => g.Key, g => g.Count());
        var apparent = Enum.GetValues<NamedColor>().ToDictionary(c => c, c => Palette.Apparent(c, requested.TimeOfDay, requested.Weather));
        var tolerance = apparent.ToDictionary(a => a.Key, a =>
            Math.Clamp(0.45 * apparent.Where(b => b.Key != a.Key).Min(b => a.Value.DistanceTo(b.Value)), 20, 60));
        var colors = Enum.GetValues<NamedColor>();
        var perColor = new List<Blob>[colors.Length][];
        Parallel.For(0, colors.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, ci =>
        {
            var finder = new ColorBlobs(width, height);
            var color = colors[ci];
            perColor[ci] = new List<Blob>[frames.Count];
            for (int f = 0; f < frames.Count; f++)
                perColor[ci][f] = finder.Find(frames[f], scenery[f], apparent[color], tolerance[color], SceneryMargin);
        });
        var groups = new List<Group>();
        double extraneous = 0;
        int births = 0;
        for (int ci = 0; ci < colors.Length; ci++)
        {
            var blobs = perColor[ci];
            if (requestedCounts.TryGetValue(colors[ci], out int count))
            {
                groups.Add(new Group(colors[ci], count, blobs));
                for (int f = 1; f < blobs.Length; f++) births += Math.Max(0, Math.Min(count, blobs[f].Count) - Math.Min(count, blobs[f - 1].Count));
            }
            else
            {
                extraneous += PixelMath.Median(blobs.Select(b => (double)b.Count));
            }
        }
        return new ObjectTracks(groups.ToArray(), extraneous, births, fps, Math.Min(width, height));
    }

    private static double Visibility(Group g) => g.Frames.Average(f => Math.Min(g.Requested, f.Count) / (double)g.Requested);

    /// <summary>Requested colours are there, in as many frames as in the reference.</summary>
    public static double Presence(ObjectTracks observed, ObjectTracks reference) =>
        PerGroup(observed, reference, (o, r) => Ratio(Visibility(o), Visibility(r)));

    /// <summary>As many objects of each colour as asked for, and no objects of other colours.</summary>
    public static double Count(ObjectTracks observed, ObjectTracks reference)
    {
        double perColor = PerGroup(observed, reference, (o, r) =>
        {
            double seen = PixelMath.Median(o.Frames.Select(f => (double)f.Count));
            double expected = PixelMath.Median(r.Frames.Select(f => (double)f.Count));
            return Math.Max(0, 1 - Math.Abs(seen - expected) / Math.Max(1, o.Requested));
        });
        double extra = Math.Max(0, observed.Extraneous - reference.Extraneous);
        return perColor / (1 + extra);
    }

    public static double Shape(ObjectTracks observed, ObjectTracks reference) =>
        PerGroup(observed, reference, (o, r) =>
        {
            var seen = MeanShape(o);
            var expected = MeanShape(r);
            if (seen is null || expected is null) return 0;
            double z = Square((seen.Value.Fill - expected.Value.Fill) / 0.07)
                + Square((seen.Value.Elongation - expected.Value.Elongation) / 0.1)
                + Square((seen.Value.Compactness - expected.Value.Compactness) / 0.07);
            return Math.Exp(-z / 2);
        });

    /// <summary>Direction and speed of travel, the size of the swing around a straight path (bounce, orbit, jump), growth, and how fast the silhouette changes (spin, gait).</summary>
    public static double Motion(ObjectTracks observed, ObjectTracks reference) =>
        PerGroup(observed, reference, (o, r) =>
        {
            var seen = MotionFeatures(o, observed);
            var expected = MotionFeatures(r, reference);
            if (seen is null || expected is null) return 0;
            double[] scales = [0.035, 0.035, 0.025, 0.025, 0.06, 0.1];
            double z = 0;
            for (int i = 0; i < scales.Length; i++) z += Square((seen[i] - expected[i]) / scales[i]);
            return Math.Exp(-z / 2) * Ratio(Visibility(o), Visibility(r));
        });

    /// <summary>
    /// Objects keep their identity: as many patches of each colour at the end as at the start, with the
    /// same silhouette, even when one passed behind another in between.
    /// </summary>
    public static double Identity(ObjectTracks observed, ObjectTracks reference) =>
        PerGroup(observed, reference, (o, r) =>
        {
            double seen = Continuity(o), expected = Continuity(r);
            return Ratio(seen, expected) * Ratio(Visibility(o), Visibility(r));
        });

    private static double Continuity(Group g)
    {
        int n = g.Frames.Length, third = Math.Max(1, n / 3);
        var head = Enumerable.Range(0, third).ToArray();
        var tail = Enumerable.Range(n - third, third).ToArray();
        double headCount = PixelMath.Median(head.Select(f => (double)Math.Min(g.Requested, g.Frames[f].Count)));
        double tailCount = PixelMath.Median(tail.Select(f => (double)Math.Min(g.Requested, g.Frames[f].Count)));
        if (headCount == 0 && tailCount == 0) return 0;
        var headShape = MeanShape(g, head);
        var tailShape = MeanShape(g, tail);
        double sameLook = headShape is null || tailShape is null ? 0 : Math.Exp(-(Square((headShape.Value.Compactness - tailShape.Value.Compactness) / 0.1)
            + Square((headShape.Value.Elongation - tailShape.Value.Elongation) / 0.15)) / 2);
        return (1 - Math.Abs(headCount - tailCount) / g.Requested) * sameLook;
    }

    private static double PerGroup(ObjectTracks observed, ObjectTracks reference, Func<Group, Group, double> score)
    {
        double total = 0, weight = 0;
        for (int i = 0; i < reference.Groups.Length; i++)
        {
            var r = reference.Groups[i];
            // A colour the reference itself cannot see (fully hidden, lost in fog) cannot be judged.
            if (r.Frames.All(f => f.Count == 0)) continue;
            total += r.Requested * score(observed.Groups[i], r);
            weight += r.Requested;
        }
        return weight > 0 ? total / weight : 0;
    }

    private static Blob? MeanShape(Group g, IEnumerable<int>? frames = null)
    {
        double fill = 0, elongation = 0, compactness = 0;
        int count = 0;
        foreach (int f in frames ?? Enumerable.Range(0, g.Frames.Length))
        {
            foreach (var blob in g.Top(f))
            {
                fill += blob.Fill;
                elongation += blob.Elongation;
                compactness += blob.Compactness;
                count++;
            }
        }
        if (count == 0) return null;
        return new Blob(0, 0, 0, fill / count, elongation / count, compactness / count);
    }

    private static double[]? MotionFeatures(Group g, ObjectTracks tracks)
    {
        var times = new List<double>();
        var xs = new List<double>();
        var ys = new List<double>();
        var logAreas = new List<double>();
        var shapes = new List<(double Fill, double Elongation)>();
        for (int f = 0; f < g.Frames.Length; f++)
        {
            var top = g.Top(f).ToArray();
            if (top.Length == 0) continue;
            double area = top.Sum(b => b.Area);
            times.Add(f / tracks.Fps);
            xs.Add(top.Sum(b => b.CenterX * b.Area) / area / tracks.ShortSide);
            ys.Add(top.Sum(b => b.CenterY * b.Area) / area / tracks.ShortSide);
            logAreas.Add(Math.Log(area / (tracks.ShortSide * tracks.ShortSide)));
            shapes.Add((top.Average(b => b.Fill), top.Average(b => b.Elongation)));
        }
        if (times.Count < 3) return null;
        var (vx, residualX) = Fit(times, xs);
        var (vy, residualY) = Fit(times, ys);
        var (growth, _) = Fit(times, logAreas);
        double change = 0;
        for (int i = 1; i < shapes.Count; i++)
            change += Math.Abs(shapes[i].Fill - shapes[i - 1].Fill) + Math.Abs(shapes[i].Elongation - shapes[i - 1].Elongation);
        change /= shapes.Count - 1;
        return [vx, vy, residualX, residualY, growth, change];
    }

    /// <summary>Least-squares slope and the RMS residual around the fitted line.</summary>
    private static (double Slope, double Residual) Fit(List<double> t, List<double> v)
    {
        double mt = t.Average(), mv = v.Average();
        double stt = 0, stv = 0;
        for (int i = 0; i < t.Count; i++)
        {
            stt += (t[i] - mt) * (t[i] - mt);
            stv += (t[i] - mt) * (v[i] - mv);
        }
        double slope = stt > 0 ? stv / stt : 0;
        double residual = 0;
        for (int i = 0; i < t.Count; i++) residual += Square(v[i] - mv - slope * (t[i] - mt));
        return (slope, Math.Sqrt(residual / t.Count));
    }

    /// <summary>How much of the reference's value the video reaches, capped at 1; the small offset keeps near-zero references from dividing by zero.</summary>
    private static double Ratio(double seen, double expected) => Math.Min(1, (seen + 0.02) / (expected + 0.02));

    private static double Square(double x) => x * x;
}
