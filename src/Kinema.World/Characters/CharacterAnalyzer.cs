using Kinema.Media;

namespace Kinema.World.Characters;

/// <summary>
/// What a reference clip shows, in the toy world's own words: the dominant foreground object's named
/// colour, its shape when it can be classified, and a size word. <see cref="Description"/> is the phrase
/// prompts get in place of the character's name ("a large red star").
/// </summary>
public sealed record CharacterAppearance(
    NamedColor Color,
    ShapeKind? Shape,
    ObjectSize Size,
    double ColorConfidence,
    double ShapeConfidence,
    string Description)
{
    /// <summary>The words the built-in model was trained on, plain entries of <see cref="CaptionVocabulary"/>.</summary>
    public static string Describe(NamedColor color, ShapeKind? shape, ObjectSize size)
    {
        string sizeWord = CaptionVocabulary.Size(size)[0];
        string colorWord = CaptionVocabulary.Color(color)[0];
        string shapeWord = shape is { } s ? CaptionVocabulary.Shape(s)[0].One : "object";
        return $"a {sizeWord} {colorWord} {shapeWord}";
    }
}

/// <summary>
/// Extracts a <see cref="CharacterAppearance"/> from a short clip without knowing its scene. The
/// scenery is estimated per pixel as whichever of two guesses is closer to the frame: the clip's
/// per-pixel temporal median (right wherever the object moved away) and each row's border colour
/// (toy-world backgrounds are mostly horizontal bands, which also covers a still object or a panning
/// camera). Pixels far from that estimate are foreground; each (eroded, so outlines and anti-aliased
/// edges do not vote) votes for its nearest apparent named colour under any light and weather. The
/// winning colour's largest patch per frame is measured with the judge's <see cref="ColorBlobs"/>, and
/// its rotation- and scale-free moments (with the three- and fourfold ones that tell a star from a pyramid and a ball
/// from a cube) are compared with renders of every shape in the same colour, light and weather at the same resolution. Deterministic; features are coarse so H.264 barely moves them.
/// </summary>
public static class CharacterAnalyzer
{
    private const double SceneryMargin = 28;
    private const double VoteDistance = 55;
    /// <summary>Beyond this summed squared z-score to the nearest shape, the shape is left unnamed.</summary>
    private const double MaxShapeDistance = 14;
    /// <summary>
    /// Spreads of the three- and fourfold moments in the shape distance. Without them stars read as pyramids and balls as
    /// cubes (their other moments are nearly equal). 0.2, with the terms weighted by roundness, was chosen on scenes 0-99
    /// of <c>character-reading</c> and checked on scenes 100-199: shapes read right 78 → 89 of 100, sizes 91 → 95, colours 93 → 93.
    /// </summary>
    private const double ThreefoldScale = 0.2, FourfoldScale = 0.2;

    public static CharacterAppearance Analyze(IReadOnlyList<RgbFrame> clip, double fps)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.Count == 0) throw new ArgumentException("the clip has no frames", nameof(clip));
        if (!double.IsFinite(fps) || fps <= 0) throw new ArgumentOutOfRangeException(nameof(fps), fps, "fps must be a finite number > 0");
        int width0 = clip[0].Width, height0 = clip[0].Height;
        if (clip.Any(f => f.Width != width0 || f.Height != height0)) throw new ArgumentException("frames differ in size", nameof(clip));

        // At most 24 frames spread over the clip, at most 128 px on the long side (as the judge).
        var picked = PixelMath.SpreadIndices(clip.Count, 24).Select(i => clip[i]).ToArray();
        int factor = Math.Max(1, (int)Math.Ceiling(Math.Max(width0, height0) / (double)WorldJudge.AnalysisSide));
        var frames = picked.Select(f => PixelMath.Downsample(f, factor)).ToArray();
        int w = frames[0].Width, h = frames[0].Height;
        if (w < 16 || h < 16) throw new ArgumentException($"the clip is too small to analyse ({width0}x{height0})", nameof(clip));

        var background = TemporalBackground(frames);
        var estimates = new[]
        {
            frames.Select(f => SceneryEstimate(f, background, useMedian: true)).ToArray(),
            // A still object is part of every frame: the row-border guess alone still separates it.
            frames.Select(f => SceneryEstimate(f, background, useMedian: false)).ToArray(),
        };
        // Each scenery guess and each of the most-voted colours yields a candidate patch; the one that is
        // present most often, got most colour votes and looks most like some toy-world shape wins.
        (Measurement M, ShapeKind? Shape, double Confidence, double Area, double Score)? best = null;
        foreach (var scenery in estimates)
        {
            // The moving-object guess is cleaner (scenery detail is in the background estimate); only if it
            // finds nothing convincing is the noisier row-only guess consulted.
            if (best is { Score: >= 0.2, Confidence: >= 0.3 }) break;
            foreach (var candidate in Measure(frames, scenery))
            {
                var (candidateShape, confidence, area) = ClassifyShape(candidate, w, h);
                // A character clip frames its subject: patches far from the centre (clouds, walls, buildings) count less.
                double centred = Math.Exp(-Square(candidate.CenterDistance / 0.35));
                // Shape fit breaks ties between colours but never outweighs a clear colour majority.
                double score = candidate.Presence * candidate.ColorShare * Math.Max(confidence, 0.25) * centred;
                if (best is null || score > best.Value.Score) best = (candidate, candidateShape, confidence, area, score);
            }
        }
        if (best is null) throw new ArgumentException("no foreground object found in the clip: a character clip should show one object against its scenery", nameof(clip));
        var (m, shape, shapeConfidence, referenceArea, _) = best.Value;
        double shortSide = Math.Min(w, h);
        var size = SizeOf(m.Area / (shortSide * shortSide) / referenceArea);
        if (size != ObjectSize.Medium)
        {
            // Outlines and anti-aliasing weigh differently on a small or large patch: compare with references of that size.
            var (resized, resizedConfidence, resizedArea) = ClassifyShape(m, w, h, size);
            if (resized is not null || shape is null)
            {
                (shape, shapeConfidence) = (resized, resizedConfidence);
                double ratio = SizeRadius(size) / SizeRadius(ObjectSize.Medium);
                size = SizeOf(m.Area / (shortSide * shortSide) / (resizedArea / (ratio * ratio)));
            }
        }
        return new CharacterAppearance(m.Color, shape, size, Math.Round(m.ColorShare, 3), Math.Round(shapeConfidence, 3),
            CharacterAppearance.Describe(m.Color, shape, size));
    }

    /// <summary>The size whose area (radius squared) relative to a medium one is nearest, in log terms.</summary>
    private static ObjectSize SizeOf(double relativeToMedium) => Enum.GetValues<ObjectSize>()
        .OrderBy(s => Math.Abs(Math.Log(Math.Max(relativeToMedium, 1e-6)) - 2 * Math.Log(SizeRadius(s) / SizeRadius(ObjectSize.Medium))))
        .First();

    private static double SizeRadius(ObjectSize size) => size switch { ObjectSize.Small => 0.085, ObjectSize.Large => 0.15, _ => 0.115 };

    private readonly record struct Measurement(NamedColor Color, TimeOfDay Time, Weather Weather, double ColorShare, double Presence, double CenterDistance, double Area, double Fill, double Elongation, double Compactness,
        double Threefold, double Fourfold);

    private static readonly (TimeOfDay Time, Weather Weather)[] Lights =
        [.. Enum.GetValues<TimeOfDay>().SelectMany(t => Enum.GetValues<Weather>().Select(wt => (t, wt)))];

    private static IEnumerable<Measurement> Measure(RgbFrame[] frames, RgbFrame[] scenery)
    {
        int w = frames[0].Width, h = frames[0].Height;
        var colors = Enum.GetValues<NamedColor>();
        var candidates = new List<(NamedColor Color, int Light, Rgb Apparent)>();
        for (int l = 0; l < Lights.Length; l++)
            foreach (var c in colors) candidates.Add((c, l, Palette.Apparent(c, Lights[l].Time, Lights[l].Weather)));
        var votes = new double[candidates.Count];
        var mask = new bool[w * h];
        float margin2 = (float)(SceneryMargin * SceneryMargin);
        for (int f = 0; f < frames.Length; f++)
        {
            var p = frames[f].Pixels;
            var s = scenery[f].Pixels;
            for (int i = 0, o = 0; i < mask.Length; i++, o += 3)
            {
                float dr = p[o] - s[o], dg = p[o + 1] - s[o + 1], db = p[o + 2] - s[o + 2];
                mask[i] = dr * dr + dg * dg + db * db > margin2;
            }
            for (int y = 1; y < h - 1; y++)
            {
                for (int x = 1; x < w - 1; x++)
                {
                    int i = y * w + x;
                    if (!(mask[i] && mask[i - 1] && mask[i + 1] && mask[i - w] && mask[i + w] && mask[i - w - 1] && mask[i - w + 1] && mask[i + w - 1] && mask[i + w + 1])) continue;
                    var px = new Rgb(p[i * 3], p[i * 3 + 1], p[i * 3 + 2]);
                    int best = -1;
                    float bestDistance = float.MaxValue;
                    for (int k = 0; k < candidates.Count; k++)
                    {
                        float d = px.DistanceTo(candidates[k].Apparent);
                        if (d < bestDistance) { bestDistance = d; best = k; }
                    }
                    if (bestDistance < VoteDistance) votes[best] += Math.Exp(-Square(bestDistance / 20.0));
                }
            }
        }
        double total = votes.Sum();
        if (total <= 0) yield break;
        var perColor = colors.ToDictionary(c => c, c => 0.0);
        for (int k = 0; k < candidates.Count; k++) perColor[candidates[k].Color] += votes[k];
        // Ties go to the earlier colour so the result never depends on dictionary order.
        foreach (var color in colors.Where(c => perColor[c] > 0).OrderByDescending(c => perColor[c]).ThenBy(c => (int)c).Take(3))
        {
            int light = Enumerable.Range(0, candidates.Count).Where(k => candidates[k].Color == color)
                .OrderByDescending(k => votes[k]).ThenBy(k => k).Select(k => candidates[k].Light).First();
            var (time, weather) = Lights[light];
            var apparent = Palette.Apparent(color, time, weather);
            double tolerance = Math.Clamp(0.45 * colors.Where(c => c != color).Min(c => apparent.DistanceTo(Palette.Apparent(c, time, weather))), 20, 60);
            var finder = new ColorBlobs(w, h);
            var blobs = new List<Blob>();
            for (int f = 0; f < frames.Length; f++)
            {
                var found = finder.Find(frames[f], scenery[f], apparent, tolerance, SceneryMargin);
                if (found.Count > 0) blobs.Add(found[0]);
            }
            if (blobs.Count == 0) continue;
            double shortSide = Math.Min(w, h);
            double centerDistance = PixelMath.Median(blobs.Select(b => Math.Sqrt(Square(b.CenterX - (w - 1) / 2.0) + Square(b.CenterY - (h - 1) / 2.0)) / shortSide));
            yield return new Measurement(color, time, weather, perColor[color] / total, blobs.Count / (double)frames.Length, centerDistance,
                PixelMath.Median(blobs.Select(b => b.Area)),
                PixelMath.Median(blobs.Select(b => b.Fill)),
                PixelMath.Median(blobs.Select(b => b.Elongation)),
                PixelMath.Median(blobs.Select(b => b.Compactness)),
                PixelMath.Median(blobs.Select(b => b.Threefold)),
                PixelMath.Median(blobs.Select(b => b.Fourfold)));
        }
    }

    /// <summary>Renders every shape (still and in its typical motion) in the measured colour and light, and picks the nearest by the judge's shape z-score.</summary>
    private static (ShapeKind? Shape, double Confidence, double ReferenceArea) ClassifyShape(Measurement m, int w, int h, ObjectSize referenceSize = ObjectSize.Medium)
    {
        var background = ContrastingBackground(m, w, h);
        var apparent = Palette.Apparent(m.Color, m.Time, m.Weather);
        var colors = Enum.GetValues<NamedColor>();
        double tolerance = Math.Clamp(0.45 * colors.Where(c => c != m.Color).Min(c => apparent.DistanceTo(Palette.Apparent(c, m.Time, m.Weather))), 20, 60);
        var finder = new ColorBlobs(w, h);
        double shortSide = Math.Min(w, h);
        var results = new List<(ShapeKind Shape, double Z, double Symmetry, double Area)>();
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            foreach (var motion in ReferenceMotions(shape))
            {
                // In the measured light and weather, so the reference object shows the colour the blob finder looks for
                // (fog veils it, rain darkens it; snow leaves it as it is, so a snowy clip's light reads as clear and its
                // references are drawn without flakes).
                var scene = new Scene(1, background, m.Time, m.Weather, CameraMotion.Static,
                    [new SceneObject(shape, m.Color, referenceSize, motion, Speed.Normal, 0.5, 0.5, 0)]);
                var drawn = SceneRenderer.RenderUnchecked(scene, w, h, 8, 12, drawObjects: true, parallelism: 1);
                var empty = SceneRenderer.RenderUnchecked(scene, w, h, 8, 12, drawObjects: false, parallelism: 1);
                var blobs = new List<Blob>();
                for (int f = 0; f < drawn.Length; f++)
                {
                    var found = finder.Find(drawn[f], empty[f], apparent, tolerance, SceneryMargin);
                    if (found.Count > 0) blobs.Add(found[0]);
                }
                if (blobs.Count == 0) continue;
                double fill = PixelMath.Median(blobs.Select(b => b.Fill)), elongation = PixelMath.Median(blobs.Select(b => b.Elongation));
                double compactness = PixelMath.Median(blobs.Select(b => b.Compactness));
                double threefold = PixelMath.Median(blobs.Select(b => b.Threefold)), fourfold = PixelMath.Median(blobs.Select(b => b.Fourfold));
                double z = Square((m.Fill - fill) / 0.07) + Square((m.Elongation - elongation) / 0.1) + Square((m.Compactness - compactness) / 0.07);
                // The higher moments tell round shapes apart (stars, pyramids, balls, cubes: elongation 0.9-1); on long ones
                // (fish, birds, people: 0.3-0.6) they follow the tail and the pose, so for a long patch they fade out below
                // 0.9 and are off below 0.7. Weighed by the patch alone, so every reference pays the same weight.
                double roundness = Math.Clamp((m.Elongation - 0.7) / 0.2, 0, 1);
                double symmetry = roundness * (Square((m.Threefold - threefold) / ThreefoldScale) + Square((m.Fourfold - fourfold) / FourfoldScale));
                results.Add((shape, z, symmetry, PixelMath.Median(blobs.Select(b => b.Area)) / (shortSide * shortSide)));
            }
        }
        if (results.Count == 0) return (null, 0, 0.04);
        // The symmetry terms choose among the shapes near enough to name by the other moments (how sure, too, is that
        // distance); with none near enough, the patch stays unnamed, as before the symmetry terms existed.
        var nameable = results.Where(r => r.Z <= MaxShapeDistance).ToList();
        if (nameable.Count == 0)
        {
            var nearest = results.OrderBy(r => r.Z).ThenBy(r => (int)r.Shape).First();
            return (null, Math.Exp(-nearest.Z / 2), results.Where(r => r.Shape == nearest.Shape).Average(r => r.Area));
        }
        var best = nameable.OrderBy(r => r.Z + r.Symmetry).ThenBy(r => (int)r.Shape).First();
        return (best.Shape, Math.Exp(-best.Z / 2), results.Where(r => r.Shape == best.Shape).Average(r => r.Area));
    }

    private static MotionKind[] ReferenceMotions(ShapeKind shape) => shape switch
    {
        ShapeKind.Ball or ShapeKind.Ring => [MotionKind.Still],
        ShapeKind.Person => [MotionKind.Still, MotionKind.Walk],
        ShapeKind.Bird => [MotionKind.Still, MotionKind.Fly],
        ShapeKind.Fish => [MotionKind.Still, MotionKind.MoveRight],
        _ => [MotionKind.Still, MotionKind.Spin],
    };

    /// <summary>The background whose centre is farthest from the object's colour, so the reference render's object stands out.</summary>
    private static Background ContrastingBackground(Measurement m, int w, int h)
    {
        var apparent = Palette.Apparent(m.Color, m.Time, m.Weather);
        return Enum.GetValues<Background>().OrderByDescending(b =>
        {
            var scene = new Scene(1, b, m.Time, m.Weather, CameraMotion.Static, []);
            var frame = SceneRenderer.RenderUnchecked(scene, w, h, 8, 1, drawObjects: false, parallelism: 1)[0];
            double nearest = double.MaxValue;
            var p = frame.Pixels;
            for (int y = h / 4; y < 3 * h / 4; y += 2)
                for (int x = w / 4; x < 3 * w / 4; x += 2)
                {
                    int o = (y * w + x) * 3;
                    nearest = Math.Min(nearest, new Rgb(p[o], p[o + 1], p[o + 2]).DistanceTo(apparent));
                }
            return nearest;
        }).ThenBy(b => (int)b).First();
    }

    /// <summary>
    /// Per pixel, the value (over the clip) closest to its row's border colour: wherever a moving object
    /// uncovered the scenery for even one frame, that frame wins; static scenery detail (clouds, buildings)
    /// is the same in every frame and is kept.
    /// </summary>
    private static RgbFrame TemporalBackground(RgbFrame[] frames)
    {
        int w = frames[0].Width, h = frames[0].Height;
        var rows = frames.Select(RowBorders).ToArray();
        var result = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 3, bestFrame = 0, bestDistance = int.MaxValue;
                for (int f = 0; f < frames.Length; f++)
                {
                    var p = frames[f].Pixels;
                    var r = rows[f];
                    int d = Square(p[o] - r[y * 3]) + Square(p[o + 1] - r[y * 3 + 1]) + Square(p[o + 2] - r[y * 3 + 2]);
                    if (d < bestDistance) { bestDistance = d; bestFrame = f; }
                }
                result[o] = frames[bestFrame].Pixels[o];
                result[o + 1] = frames[bestFrame].Pixels[o + 1];
                result[o + 2] = frames[bestFrame].Pixels[o + 2];
            }
        }
        return new RgbFrame(w, h, result);
    }

    /// <summary>Per row, the median colour of the few pixels at its left and right ends.</summary>
    private static byte[] RowBorders(RgbFrame frame)
    {
        int w = frame.Width, h = frame.Height;
        var p = frame.Pixels;
        int border = Math.Max(1, w / 32);
        var samples = new byte[2 * border];
        var rows = new byte[h * 3];
        for (int y = 0; y < h; y++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int k = 0; k < border; k++)
                {
                    samples[k] = p[(y * w + k) * 3 + c];
                    samples[border + k] = p[(y * w + w - 1 - k) * 3 + c];
                }
                Array.Sort(samples);
                rows[y * 3 + c] = samples[border];
            }
        }
        return rows;
    }

    /// <summary>Per pixel, whichever of the temporal median and the row's border colour is closer to the frame.</summary>
    private static RgbFrame SceneryEstimate(RgbFrame frame, RgbFrame median, bool useMedian)
    {
        int w = frame.Width, h = frame.Height;
        var p = frame.Pixels;
        var m = median.Pixels;
        var rows = RowBorders(frame);
        var result = new byte[p.Length];
        for (int y = 0; y < h; y++)
        {
            byte r0 = rows[y * 3], r1 = rows[y * 3 + 1], r2 = rows[y * 3 + 2];
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 3;
                int dRow = Square(p[o] - r0) + Square(p[o + 1] - r1) + Square(p[o + 2] - r2);
                int dMedian = Square(p[o] - m[o]) + Square(p[o + 1] - m[o + 1]) + Square(p[o + 2] - m[o + 2]);
                bool fromMedian = useMedian && dMedian < dRow;
                result[o] = fromMedian ? m[o] : r0;
                result[o + 1] = fromMedian ? m[o + 1] : r1;
                result[o + 2] = fromMedian ? m[o + 2] : r2;
            }
        }
        return new RgbFrame(w, h, result);
    }

    private static int Square(int x) => x * x;
    private static double Square(double x) => x * x;
}
