namespace Kinema.Media.Internal;

/// <summary>
/// Decodes a video with ffmpeg into RGB24 frames through a pipe (no temporary images), passing frame
/// timing through so no frame is duplicated or dropped to fit a constant rate.
/// </summary>
internal static class FfmpegDecoder
{
    public static List<RgbFrame> Decode(string ffmpeg, string path, int width, int height, int? maxFrames)
    {
        var arguments = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", path, "-map", "0:v:0" };
        arguments.AddRange(FfmpegCapabilities.PassthroughFrameTiming(ffmpeg));
        if (maxFrames is { } limit) arguments.AddRange(["-frames:v", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        arguments.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);

        var frames = new List<RgbFrame>();
        int frameBytes = width * height * 3;
        using var tool = ToolProcess.Start(ffmpeg, arguments, redirectStdin: false);
        Stream stdout = tool.Process.StandardOutput.BaseStream;
        while (true)
        {
            var pixels = new byte[frameBytes];
            int read = stdout.ReadAtLeast(pixels, frameBytes, throwOnEndOfStream: false);
            if (read == 0) break;
            if (read < frameBytes)
            {
                tool.Process.WaitForExit();
                throw new MediaException($"decoding '{path}' stopped inside frame {frames.Count} ({read} of {frameBytes} bytes); ffmpeg said:{tool.Stderr.Text()}");
            }
            frames.Add(new RgbFrame(width, height, pixels));
        }
        tool.Process.WaitForExit();
        if (tool.Process.ExitCode != 0)
            throw new MediaException($"decoding '{path}' failed (ffmpeg exited with code {tool.Process.ExitCode}); ffmpeg said:{tool.Stderr.Text()}");
        if (frames.Count == 0)
            throw new MediaException($"'{path}' decoded to no frames; ffmpeg said:{tool.Stderr.Text()}");
        return frames;
    }
}
