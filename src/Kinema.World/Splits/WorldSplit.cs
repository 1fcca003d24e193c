namespace Kinema.World;

/// <summary>Which part of the world a sample belongs to.</summary>
public enum SplitName { Train, HeldOut }

/// <summary>
/// The held-out split measures generalisation: some colour-shape-motion triples never appear in any
/// training scene, and some words and caption templates never appear in any training caption. Held-out
/// samples contain at least one held-out triple and use at least one held-out phrasing.
/// </summary>
public static class WorldSplit
{
    /// <summary>Two triples per shape, every colour at least once, a spread of motions.</summary>
    public static IReadOnlyList<(NamedColor Color, ShapeKind Shape, MotionKind Motion)> HeldOutTriples { get; } =
    [
        (NamedColor.Red, ShapeKind.Ball, MotionKind.Orbit),
        (NamedColor.White, ShapeKind.Ball, MotionKind.Bounce),
        (NamedColor.Blue, ShapeKind.Cube, MotionKind.Spin),
        (NamedColor.Brown, ShapeKind.Cube, MotionKind.MoveLeft),
        (NamedColor.Yellow, ShapeKind.Pyramid, MotionKind.Bounce),
        (NamedColor.Black, ShapeKind.Pyramid, MotionKind.Grow),
        (NamedColor.Green, ShapeKind.Star, MotionKind.Shrink),
        (NamedColor.Gray, ShapeKind.Star, MotionKind.Spin),
        (NamedColor.Purple, ShapeKind.Ring, MotionKind.MoveUpRight),
        (NamedColor.Red, ShapeKind.Ring, MotionKind.Jump),
        (NamedColor.Orange, ShapeKind.Person, MotionKind.Jump),
        (NamedColor.Blue, ShapeKind.Person, MotionKind.Walk),
        (NamedColor.Pink, ShapeKind.Bird, MotionKind.Fly),
        (NamedColor.Green, ShapeKind.Bird, MotionKind.MoveDownLeft),
        (NamedColor.Cyan, ShapeKind.Fish, MotionKind.Orbit),
        (NamedColor.Yellow, ShapeKind.Fish, MotionKind.MoveRight),
    ];

    /// <summary>Words that only held-out captions use (each a synonym of a word that training captions do use).</summary>
    public static IReadOnlySet<string> HeldOutWords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "crimson", "azure", "orb", "orbs", "dusk", "tumbles", "tumble", "glides", "glide",
    };

    /// <summary>Caption templates that only held-out captions use (names from <see cref="CaptionGenerator.TemplateNames"/>).</summary>
    public static IReadOnlySet<string> HeldOutTemplates { get; } = new HashSet<string>(StringComparer.Ordinal) { "time-first", "show-me" };

    public static bool UsesHeldOutWord(string text) =>
        text.Split([' ', ',', '.', ';', ':', '-', '!', '?'], StringSplitOptions.RemoveEmptyEntries)
            .Any(word => HeldOutWords.Contains(word.ToLowerInvariant()));

    public static bool IsHeldOut(SceneObject o) => IsHeldOut(o.Color, o.Shape, o.Motion);

    public static bool IsHeldOut(NamedColor color, ShapeKind shape, MotionKind motion) =>
        HeldOutTriples.Contains((color, shape, motion));

    public static bool ContainsHeldOutTriple(Scene scene) => scene.Objects.Any(IsHeldOut);
}
