namespace Kinema.World;

/// <summary>
/// Draws random scenes that read well at 128x128: objects spread out and clear of each other, colours
/// that stand out from the scenery, motions that suit the shape, some same-layer pairs so collisions
/// happen, and some repeated objects so captions can count. The same seed and split always give the same scene.
/// </summary>
public static class SceneSampler
{
    private static readonly MotionKind[] Moves =
    [
        MotionKind.MoveLeft, MotionKind.MoveRight, MotionKind.MoveUp, MotionKind.MoveDown,
        MotionKind.MoveUpLeft, MotionKind.MoveUpRight, MotionKind.MoveDownLeft, MotionKind.MoveDownRight,
    ];

    /// <summary>Motions that make sense for each shape (a ball or ring looks the same however it spins, so they do not spin).</summary>
    public static IReadOnlyList<MotionKind> MotionsFor(ShapeKind shape) => shape switch
    {
        ShapeKind.Ball or ShapeKind.Ring => [MotionKind.Still, .. Moves, MotionKind.Bounce, MotionKind.Orbit, MotionKind.Grow, MotionKind.Shrink, MotionKind.Jump],
        ShapeKind.Person => [MotionKind.Still, MotionKind.Walk, MotionKind.Jump, MotionKind.MoveLeft, MotionKind.MoveRight, MotionKind.Grow, MotionKind.Shrink],
        ShapeKind.Bird => [MotionKind.Still, MotionKind.Fly, .. Moves, MotionKind.Orbit],
        ShapeKind.Fish => [MotionKind.Still, .. Moves, MotionKind.Orbit],
        _ => [MotionKind.Still, .. Moves, MotionKind.Bounce, MotionKind.Orbit, MotionKind.Spin, MotionKind.Grow, MotionKind.Shrink, MotionKind.Jump],
    };

    public static Scene Sample(int seed, SplitName split = SplitName.Train)
    {
        for (int attempt = 0; ; attempt++)
        {
            var random = new SplitMixRandom(seed, attempt);
            var scene = TrySample(random, seed, split);
            if (scene is not null) return scene;
        }
    }

    private static Scene? TrySample(SplitMixRandom random, int seed, SplitName split)
    {
        var background = random.Pick(Enum.GetValues<Background>());
        var time = background == Background.NightSky
            ? TimeOfDay.Night
            : random.Weighted([(TimeOfDay.Day, 0.5), (TimeOfDay.Sunset, 0.25), (TimeOfDay.Night, 0.25)]);
        var weather = random.Weighted([(Weather.None, 0.55), (Weather.Rain, 0.15), (Weather.Snow, 0.15), (Weather.Fog, 0.15)]);
        if (background == Background.IndoorRoom) weather = Weather.None;
        var camera = random.Weighted([
            (CameraMotion.Static, 0.4), (CameraMotion.PanLeft, 0.1), (CameraMotion.PanRight, 0.1), (CameraMotion.PanUp, 0.1),
            (CameraMotion.PanDown, 0.1), (CameraMotion.ZoomIn, 0.1), (CameraMotion.ZoomOut, 0.1)]);
        int count = random.Weighted([(1, 0.35), (2, 0.35), (3, 0.2), (4, 0.1)]);
        var scenery = new Scene(seed, background, time, weather, camera, []);
        var sceneryColors = ScenerySamples(scenery);

        var objects = new List<SceneObject>();
        var usedColors = new HashSet<NamedColor>();
        int[] layers = random.Shuffle([0, 1, 2, 3]);
        for (int i = 0; i < count; i++)
        {
            ShapeKind shape;
            NamedColor color;
            MotionKind motion;
            if (split == SplitName.HeldOut && i == 0)
            {
                (color, shape, motion) = random.Pick(WorldSplit.HeldOutTriples);
                if (!StandsOut(color, scenery, sceneryColors)) return null;
            }
            else if (i > 0 && random.NextDouble() < 0.25)
            {
                // Repeat an earlier object's look so that captions can count ("two red balls").
                var earlier = objects[random.Next(objects.Count)];
                (color, shape) = (earlier.Color, earlier.Shape);
                motion = random.Pick(MotionsFor(shape));
            }
            else
            {
                shape = random.Pick(Enum.GetValues<ShapeKind>());
                var candidates = Enum.GetValues<NamedColor>().Where(c => !usedColors.Contains(c) && StandsOut(c, scenery, sceneryColors)).ToArray();
                if (candidates.Length == 0) return null;
                color = random.Pick(candidates);
                motion = random.Pick(MotionsFor(shape));
            }
            if (split == SplitName.Train && WorldSplit.IsHeldOut(color, shape, motion)) return null;
            usedColors.Add(color);
            var size = random.Pick(Enum.GetValues<ObjectSize>());
            var speed = random.Pick(Enum.GetValues<Speed>());
            int depth = layers[i];
            // Some pairs of bodies share a layer so that they can collide.
            if (i > 0 && motion.IsDynamic() && random.NextDouble() < 0.4)
            {
                var partner = objects.FirstOrDefault(o => o.Motion.IsDynamic());
                if (partner is not null) depth = partner.Depth;
            }
            var placed = Place(random, new SceneObject(shape, color, size, motion, speed, 0.5, 0.5, depth), objects);
            objects.Add(placed);
        }
        var scene = scenery with { Objects = objects.ToArray() };
        if (split == SplitName.HeldOut && !WorldSplit.ContainsHeldOutTriple(scene)) return null;
        return scene;
    }

    private static SceneObject Place(SplitMixRandom random, SceneObject o, List<SceneObject> others)
    {
        SceneObject best = o;
        double bestClearance = double.MinValue;
        for (int attempt = 0; attempt < 24; attempt++)
        {
            var candidate = o with { X = 0, Y = 0 };
            (double x, double y) = StartPosition(random, o);
            candidate = candidate with { X = Math.Round(x, 3), Y = Math.Round(y, 3) };
            double clearance = others.Count == 0 ? 1 : others.Min(other =>
                Math.Sqrt((other.X - candidate.X) * (other.X - candidate.X) + (other.Y - candidate.Y) * (other.Y - candidate.Y)) - other.Radius - candidate.Radius);
            if (clearance > bestClearance)
            {
                best = candidate;
                bestClearance = clearance;
            }
            if (clearance > 0.08) break;
        }
        return best;
    }

    private static (double X, double Y) StartPosition(SplitMixRandom random, SceneObject o)
    {
        double r = o.Radius;
        double floor = WorldConstants.GroundLine(o.Depth) - r;
        double Between(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        switch (o.Motion)
        {
            case MotionKind.Walk:
            case MotionKind.Jump:
                return (Between(0.15, 0.85), floor);
            case MotionKind.Bounce:
                return (Between(0.2, 0.8), Between(0.2, 0.42));
            case MotionKind.Orbit:
                return (Between(0.3, 0.7), Between(0.08 + r, 0.35));
            case MotionKind.Fly:
                return (Between(0.15, 0.85), Between(0.16, 0.34));
            default:
                var (dx, dy) = o.Motion.MoveDirection();
                if (dx != 0 || dy != 0)
                {
                    // Start on the side the object moves away from, so it crosses the stage before it meets a wall.
                    double x = dx == 0 ? Between(0.2, 0.8) : 0.5 - Math.Sign(dx) * Between(0.22, 0.32);
                    double y = dy == 0 ? Between(0.3, floor) : dy > 0 ? Between(0.12 + r, 0.3) : Between(floor - 0.15, floor);
                    return (x, Math.Min(y, floor));
                }
                return (Between(0.15, 0.85), random.NextDouble() < 0.6 ? floor : Between(0.22, 0.5));
        }
    }

    /// <summary>Scenery colours over the stage, from a coarse render of the background alone.</summary>
    private static Rgb[] ScenerySamples(Scene scenery)
    {
        var painter = new BackgroundPainter(scenery);
        const int n = 16;
        var samples = new Rgb[n * n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                samples[j * n + i] = painter.Paint((i + 0.5) / n, (j + 0.5) / n, 1.0 / n);
        return samples;
    }

    /// <summary>Whether an object of this colour would be easy to tell from the scenery (for viewers and for the judge).</summary>
    public static bool StandsOut(NamedColor color, Scene scenery, IReadOnlyList<Rgb>? sceneryColors = null)
    {
        sceneryColors ??= ScenerySamples(scenery);
        var apparent = Palette.Apparent(color, scenery.TimeOfDay, scenery.Weather);
        int close = sceneryColors.Count(c => c.DistanceTo(apparent) < 75);
        return close <= sceneryColors.Count / 25;
    }
}

/// <summary>A small seeded generator with a fixed algorithm, so sampled scenes are the same on every runtime.</summary>
internal sealed class SplitMixRandom(int seed, int stream)
{
    private ulong _state = SeededHash.Mix(((ulong)(uint)seed << 20) ^ (ulong)(uint)stream ^ 0x5EED);

    public double NextDouble()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return (SeededHash.Mix(_state) >> 11) * (1.0 / (1UL << 53));
    }

    public int Next(int exclusiveMax) => Math.Min(exclusiveMax - 1, (int)(NextDouble() * exclusiveMax));

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public T Weighted<T>(IReadOnlyList<(T Value, double Weight)> choices)
    {
        double total = choices.Sum(c => c.Weight), u = NextDouble() * total;
        foreach (var (value, weight) in choices)
        {
            if (u < weight) return value;
            u -= weight;
        }
        return choices[^1].Value;
    }

    public T[] Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }
}
