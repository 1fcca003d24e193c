namespace Kinema.Media;

/// <summary>
/// Finds the ffmpeg executable: the <c>KINEMA_FFMPEG</c> environment variable (a path, or <c>none</c>
/// to behave as if ffmpeg were absent), otherwise <c>ffmpeg</c> on <c>PATH</c>. ffprobe is looked for
/// beside the ffmpeg found, then on <c>PATH</c>.
/// </summary>
public static class Ffmpeg
{
    /// <summary>The environment variable that overrides discovery.</summary>
    public const string EnvironmentVariable = "KINEMA_FFMPEG";

    // Tests set this per async flow so that parallel tests can pretend ffmpeg is absent without
    // touching the process-wide environment.
    private static readonly AsyncLocal<string?> FlowOverride = new();

    /// <summary>Full path of the ffmpeg executable, or null when it is absent (or disabled with <c>KINEMA_FFMPEG=none</c>).</summary>
    public static string? Locate() => Resolve(FlowOverride.Value ?? Environment.GetEnvironmentVariable(EnvironmentVariable), "ffmpeg");

    /// <summary>Whether <see cref="Locate"/> finds ffmpeg.</summary>
    public static bool IsAvailable => Locate() is not null;

    /// <summary>Full path of ffprobe (beside ffmpeg, else on PATH), or null when ffmpeg or ffprobe is absent.</summary>
    internal static string? LocateFfprobe()
    {
        string? ffmpeg = Locate();
        if (ffmpeg is null) return null;
        string? folder = Path.GetDirectoryName(ffmpeg);
        if (folder is not null)
        {
            string beside = Path.Combine(folder, ExecutableName("ffprobe"));
            if (File.Exists(beside)) return beside;
        }
        return FindOnPath("ffprobe");
    }

    /// <summary>Makes this async flow (a test) see <paramref name="value"/> as if it were <c>KINEMA_FFMPEG</c>, until disposed.</summary>
    internal static IDisposable OverrideForCurrentFlow(string value)
    {
        string? previous = FlowOverride.Value;
        FlowOverride.Value = value;
        return new Restore(previous);
    }

    /// <summary>The discovery rule, separated from the environment so that it can be tested.</summary>
    internal static string? Resolve(string? setting, string program)
    {
        if (!string.IsNullOrWhiteSpace(setting))
        {
            string trimmed = setting.Trim();
            if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
            return File.Exists(trimmed) ? Path.GetFullPath(trimmed) : null;
        }
        return FindOnPath(program);
    }

    /// <summary>One line for users explaining why ffmpeg was not found and how to get it.</summary>
    internal static string DescribeAbsence()
    {
        string? setting = FlowOverride.Value ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(setting)) return "ffmpeg was not found on PATH";
        return setting.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)
            ? $"ffmpeg is disabled ({EnvironmentVariable}=none)"
            : $"ffmpeg was not found at {EnvironmentVariable}='{setting.Trim()}'";
    }

    internal const string InstallHint = "install ffmpeg (e.g. 'apt-get install ffmpeg') or set " + EnvironmentVariable + " to its path";

    private static string? FindOnPath(string program)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path)) return null;
        string name = ExecutableName(program);
        foreach (string folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static string ExecutableName(string program) => OperatingSystem.IsWindows() ? program + ".exe" : program;

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => FlowOverride.Value = previous;
    }
}
