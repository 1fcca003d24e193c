using System.Globalization;

namespace Kinema.Media.Internal;

/// <summary>
/// Pipes raw RGB24 frames into ffmpeg, which encodes H.264 (libx264, yuv420p, CRF) into MP4 at an
/// exact constant rate. Colour is converted with the BT.709 matrix, limited range, and tagged as such,
/// so players and ffmpeg's own decoder convert back with the same matrix.
/// </summary>
internal sealed class Mp4Sink : IVideoSink
{
    private readonly ToolProcess _ffmpeg;
    private readonly Stream _stdin;
    private readonly string _targetPath;

    public Mp4Sink(string ffmpeg, string tempPath, string targetPath, int width, int height, VideoWriteOptions options)
    {
        _targetPath = targetPath;
        var arguments = new List<string>
        {
            "-hide_banner", "-loglevel", "warning", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", string.Create(CultureInfo.InvariantCulture, $"{width}x{height}"),
            "-r", FrameRate.ToRational(options.Fps),
            "-i", "-",
            "-an",
            "-vf", "scale=out_color_matrix=bt709:out_range=tv",
            "-c:v", "libx264", "-preset", "medium",
            "-crf", options.Crf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-movflags", "+faststart",
        };
        if (!string.IsNullOrEmpty(options.Comment)) arguments.AddRange(["-metadata", "comment=" + options.Comment]);
        arguments.AddRange(["-f", "mp4", tempPath]);

        _ffmpeg = ToolProcess.Start(ffmpeg, arguments, redirectStdin: true);
        _stdin = _ffmpeg.Process.StandardInput.BaseStream;
    }

    public void Write(RgbFrame frame)
    {
        try
        {
            _stdin.Write(frame.Pixels);
        }
        catch (IOException e)
        {
            throw Failure("ffmpeg stopped accepting frames", e);
        }
    }

    public void Finish()
    {
        try
        {
            _stdin.Flush();
            _stdin.Close();
        }
        catch (IOException e)
        {
            throw Failure("ffmpeg stopped accepting frames", e);
        }
        _ffmpeg.Process.StandardOutput.ReadToEnd();
        _ffmpeg.Process.WaitForExit();
        if (_ffmpeg.Process.ExitCode != 0)
            throw Failure($"ffmpeg exited with code {_ffmpeg.Process.ExitCode}", null);
    }

    public void Dispose() => _ffmpeg.Dispose();

    private MediaException Failure(string what, Exception? inner)
    {
        // Let ffmpeg finish printing why it failed before taking the tail.
        _ffmpeg.Process.WaitForExit(2000);
        return new MediaException($"writing '{_targetPath}' failed: {what}; ffmpeg said:{_ffmpeg.Stderr.Text()}", inner);
    }
}
