using System.Globalization;
using System.Text.Json;

namespace Kinema.Media.Internal;

/// <summary>Runs ffprobe on the first video stream and parses its JSON report.</summary>
internal static class Ffprobe
{
    public static VideoProbe Run(string ffprobe, string path, bool countFrames)
    {
        var arguments = new List<string> { "-hide_banner", "-v", "error", "-select_streams", "v:0" };
        if (countFrames) arguments.Add("-count_frames");
        arguments.AddRange([
            "-show_entries", "stream=codec_name,width,height,pix_fmt,avg_frame_rate,r_frame_rate,nb_frames,nb_read_frames:format_tags=comment",
            "-of", "json", "--", path,
        ]);
        string json;
        using (var tool = ToolProcess.Start(ffprobe, arguments, redirectStdin: false))
        {
            json = tool.Process.StandardOutput.ReadToEnd();
            tool.Process.WaitForExit();
            if (tool.Process.ExitCode != 0)
                throw new MediaException($"'{path}' could not be read as a video (ffprobe exited with code {tool.Process.ExitCode}); ffprobe said:{tool.Stderr.Text()}");
        }
        return Parse(json, path);
    }

    private static VideoProbe Parse(string json, string path)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
            throw new MediaException($"'{path}' has no video stream");
        var stream = streams[0];
        int width = Int(stream, "width") ?? throw new MediaException($"'{path}': ffprobe reported no frame width");
        int height = Int(stream, "height") ?? throw new MediaException($"'{path}': ffprobe reported no frame height");
        // Still images have no meaningful rate; 0 there, and video readers reject it.
        double fps = FrameRate.Parse(Text(stream, "avg_frame_rate")) ?? FrameRate.Parse(Text(stream, "r_frame_rate")) ?? 0;
        int frames = Int(stream, "nb_read_frames") ?? Int(stream, "nb_frames") ?? 0;
        string? comment = null;
        if (document.RootElement.TryGetProperty("format", out var format) && format.TryGetProperty("tags", out var tags))
        {
            foreach (var tag in tags.EnumerateObject())
            {
                if (tag.Name.Equals("comment", StringComparison.OrdinalIgnoreCase)) comment = tag.Value.GetString();
            }
        }
        return new VideoProbe(width, height, fps, frames, Text(stream, "codec_name") ?? "unknown", Text(stream, "pix_fmt") ?? "unknown", comment);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // ffprobe prints counts as strings ("nb_read_frames": "24") and sizes as numbers.
    private static int? Int(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)) return number;
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)) return parsed;
        return null;
    }
}
