using System.Globalization;

namespace Kinema.Pipelines;

/// <summary>The "WIDTHxHEIGHT" size notation shared by the CLI and the API (e.g. 128x128, 1280X720).</summary>
public static class VideoSize
{
    public static bool TryParse(string text, out int width, out int height)
    {
        width = height = 0;
        var parts = text.Trim().ToLowerInvariant().Split('x');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out height);
    }
}
