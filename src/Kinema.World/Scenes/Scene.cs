using System.Globalization;

namespace Kinema.World;

/// <summary>
/// A structured description of one clip. It says nothing about resolution, frame rate or duration:
/// the same scene renders square, landscape or portrait, short or long. <see cref="Seed"/> drives the
/// background details and the weather particles, so equal scenes render to equal pixels.
/// </summary>
public sealed record Scene(
    int Seed,
    Background Background,
    TimeOfDay TimeOfDay,
    Weather Weather,
    CameraMotion Camera,
    IReadOnlyList<SceneObject> Objects)
{
    public const int MaxObjects = 4;

    public bool Equals(Scene? other) =>
        other is not null
        && Seed == other.Seed
        && Background == other.Background
        && TimeOfDay == other.TimeOfDay
        && Weather == other.Weather
        && Camera == other.Camera
        && Objects.SequenceEqual(other.Objects);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Seed);
        hash.Add(Background);
        hash.Add(TimeOfDay);
        hash.Add(Weather);
        hash.Add(Camera);
        foreach (var sceneObject in Objects) hash.Add(sceneObject);
        return hash.ToHashCode();
    }

    /// <summary>Every reason this scene cannot be rendered, worded for a person editing the JSON; empty when it is valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        CheckDefined(Background, "background", problems);
        CheckDefined(TimeOfDay, "timeOfDay", problems);
        CheckDefined(Weather, "weather", problems);
        CheckDefined(Camera, "camera", problems);
        if (Objects is null)
        {
            problems.Add("objects is missing");
            return problems;
        }
        if (Objects.Count is < 1 or > MaxObjects)
            problems.Add($"objects has {Objects.Count} entries; a scene needs 1 to {MaxObjects}");
        for (int i = 0; i < Objects.Count; i++)
        {
            var o = Objects[i];
            string where = string.Create(CultureInfo.InvariantCulture, $"objects[{i}]");
            if (o is null)
            {
                problems.Add($"{where} is null");
                continue;
            }
            CheckDefined(o.Shape, where + ".shape", problems);
            CheckDefined(o.Color, where + ".color", problems);
            CheckDefined(o.Size, where + ".size", problems);
            CheckDefined(o.Motion, where + ".motion", problems);
            CheckDefined(o.Speed, where + ".speed", problems);
            if (!double.IsFinite(o.X) || o.X is < 0 or > 1)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{where}.x is {o.X}; it must be within the stage, 0 to 1"));
            if (!double.IsFinite(o.Y) || o.Y is < 0 or > 1)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{where}.y is {o.Y}; it must be within the stage, 0 to 1"));
            if (o.Depth is < 0 or >= SceneObject.DepthLayers)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{where}.depth is {o.Depth}; it must be 0 (front) to {SceneObject.DepthLayers - 1} (back)"));
        }
        return problems;
    }

    private static void CheckDefined<T>(T value, string name, List<string> problems) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
            problems.Add($"{name} has the unknown value {value}; expected one of {string.Join(", ", Enum.GetNames<T>())}");
    }
}
