using System.Globalization;

namespace Kinema.World;

/// <summary>Frame size, rate and length of a render; the scene itself does not fix any of them.</summary>
public sealed record RenderSettings
{
    public const int MinSide = 64;
    public const int MaxSide = 1024;

    public int Width { get; init; } = 128;
    public int Height { get; init; } = 128;
    public double Fps { get; init; } = 8;
    public double Seconds { get; init; } = 3;

    /// <summary>Threads used to render the frames of one clip; 1 renders on the calling thread only.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    public int FrameCount => Math.Max(1, (int)Math.Round(Seconds * Fps));

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        CheckSide(Width, "width", problems);
        CheckSide(Height, "height", problems);
        if (!double.IsFinite(Fps) || Fps <= 0 || Fps > 240)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"fps is {Fps}; it must be more than 0 and at most 240"));
        if (!double.IsFinite(Seconds) || Seconds <= 0 || Seconds > 600)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"seconds is {Seconds}; it must be more than 0 and at most 600"));
        if (MaxDegreeOfParallelism < 1)
            problems.Add($"maxDegreeOfParallelism is {MaxDegreeOfParallelism}; it must be at least 1");
        return problems;
    }

    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid render settings: " + string.Join("; ", problems));
    }

    private static void CheckSide(int side, string name, List<string> problems)
    {
        if (side < MinSide || side > MaxSide || side % 8 != 0)
            problems.Add($"{name} is {side}; it must be a multiple of 8 from {MinSide} to {MaxSide}");
    }
}
