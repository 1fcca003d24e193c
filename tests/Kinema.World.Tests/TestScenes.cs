using Kinema.Media;

namespace Kinema.World.Tests;

internal static class TestScenes
{
    public static RenderSettings Small { get; } = new() { Width = 64, Height = 64, Fps = 8, Seconds = 1.5, MaxDegreeOfParallelism = 2 };

    public static SceneObject Cube { get; } = new(ShapeKind.Cube, NamedColor.Red, ObjectSize.Medium, MotionKind.MoveRight, Speed.Normal, 0.3, 0.5, 0);

    public static Scene Base { get; } = new(42, Background.Meadow, TimeOfDay.Day, Weather.None, CameraMotion.Static, [Cube]);

    public static bool SameFrames(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels));
}
