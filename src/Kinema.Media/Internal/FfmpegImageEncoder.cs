using System.Globalization;

namespace Kinema.Media.Internal;

/// <summary>Encodes one RGB24 frame to an image file with ffmpeg, choosing the encoder from the file extension.</summary>
internal static class FfmpegImageEncoder
{
    public static void Encode(string ffmpeg, RgbFrame frame, string tempPath, string targetPath)
    {
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", string.Create(CultureInfo.InvariantCulture, $"{frame.Width}x{frame.Height}"),
            "-i", "-",
            "-frames:v", "1", "-update", "1", "-q:v", "2",
            tempPath,
        ];
        using var tool = ToolProcess.Start(ffmpeg, arguments, redirectStdin: true);
        try
        {
            using (Stream stdin = tool.Process.StandardInput.BaseStream)
            {
                stdin.Write(frame.Pixels);
            }
        }
        catch (IOException)
        {
            // ffmpeg quit early (e.g. no encoder for this extension); its exit code and log say why.
        }
        tool.Process.StandardOutput.ReadToEnd();
        tool.Process.WaitForExit();
        if (tool.Process.ExitCode != 0 || !File.Exists(tempPath))
            throw new MediaException($"writing '{targetPath}' failed (ffmpeg exited with code {tool.Process.ExitCode}); ffmpeg said:{tool.Stderr.Text()}");
    }
}
