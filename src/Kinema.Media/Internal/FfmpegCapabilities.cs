using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Kinema.Media.Internal;

/// <summary>
/// Version-dependent ffmpeg arguments. Decoding must pass frames through unchanged: by default
/// ffmpeg's rawvideo output is constant-rate and would duplicate or drop frames of variable-rate input.
/// ffmpeg 5.1 introduced <c>-fps_mode</c> and deprecated <c>-vsync</c>, so older builds (Ubuntu 22.04
/// ships 4.4) need the old spelling.
/// </summary>
internal static partial class FfmpegCapabilities
{
    private static readonly ConcurrentDictionary<string, string[]> Passthrough = new();

    public static string[] PassthroughFrameTiming(string ffmpeg) =>
        Passthrough.GetOrAdd(ffmpeg, path => SupportsFpsMode(path)
            ? ["-fps_mode", "passthrough"]
            : ["-vsync", "passthrough"]);

    private static bool SupportsFpsMode(string ffmpeg)
    {
        using var tool = ToolProcess.Start(ffmpeg, ["-hide_banner", "-version"], redirectStdin: false);
        string firstLine = tool.Process.StandardOutput.ReadLine() ?? string.Empty;
        tool.Process.StandardOutput.ReadToEnd();
        tool.Process.WaitForExit();
        Match match = VersionPattern().Match(firstLine);
        // Git builds report "N-xxxxx-g..." and are newer than any release that lacks -fps_mode.
        if (!match.Success) return true;
        int major = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        int minor = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        return major > 5 || (major == 5 && minor >= 1);
    }

    [GeneratedRegex(@"version n?(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
