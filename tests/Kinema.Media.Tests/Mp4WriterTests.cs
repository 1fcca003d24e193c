using Kinema.Media;

namespace Kinema.Media.Tests;

public class Mp4WriterTests
{
    private static VideoWriteResult WriteBars(string path, int frames, double fps, string? comment = null) =>
        VideoFile.Write(path, Enumerable.Range(0, frames).Select(i => Frames.ColourBars(64, 48, i * 2)),
            new VideoWriteOptions { Fps = fps, Comment = comment });

    [FfmpegFact]
    public void Mp4_has_the_requested_frame_count_rate_size_codec_and_pixel_format()
    {
        using var folder = new TempFolder();
        var result = WriteBars(folder.File("bars.mp4"), frames: 17, fps: 12);

        var probe = VideoFile.Probe(result.Path);

        Assert.Equal((VideoContainer.Mp4, 17, (string?)null), (result.Format, result.FrameCount, result.Notice));
        Assert.Equal((64, 48, 17, "h264", "yuv420p"), (probe.Width, probe.Height, probe.FrameCount, probe.Codec, probe.PixelFormat));
        Assert.Equal(12.0, probe.Fps, precision: 6);
    }

    [FfmpegFact]
    public void Mp4_keeps_an_ntsc_rate_exactly()
    {
        using var folder = new TempFolder();
        var result = WriteBars(folder.File("ntsc.mp4"), frames: 10, fps: 29.97);

        Assert.Equal(30000.0 / 1001, VideoFile.Probe(result.Path).Fps, precision: 9);
    }

    [FfmpegFact]
    public void Mp4_stores_the_comment_tag()
    {
        using var folder = new TempFolder();
        const string comment = "{\"prompt\":\"a red ball\",\"seed\":7}";
        var result = WriteBars(folder.File("tagged.mp4"), frames: 3, fps: 8, comment);

        Assert.Equal(comment, VideoFile.Probe(result.Path).Comment);
    }

    // Tolerance: CRF 18 with 4:2:0 chroma blurs colour across bar edges, so the bound is on the mean
    // absolute error per channel (≤ 3 of 255), plus a looser per-pixel bound away from the edges.
    [FfmpegFact]
    public void Colour_bars_decode_back_close_to_what_was_written()
    {
        using var folder = new TempFolder();
        var written = Enumerable.Range(0, 6).Select(i => Frames.ColourBars(64, 48, i * 8)).ToList();
        var result = VideoFile.Write(folder.File("roundtrip.mp4"), written, new VideoWriteOptions { Fps = 10 });

        var clip = VideoFile.Read(result.Path);

        Assert.Equal((6, 64, 48), (clip.Frames.Count, clip.Width, clip.Height));
        Assert.Equal(10.0, clip.Fps, precision: 6);
        for (int f = 0; f < written.Count; f++)
        {
            Assert.InRange(Frames.MeanAbsoluteError(written[f], clip.Frames[f]), 0, 3.0);
            // Bar 0 spans x in [0, 8) before the shift; x = 4 + 8k - shift is the middle of a bar.
            var (r, g, b) = written[f].GetPixel(4, 24);
            var (r2, g2, b2) = clip.Frames[f].GetPixel(4, 24);
            Assert.True(Math.Abs(r - r2) <= 6 && Math.Abs(g - g2) <= 6 && Math.Abs(b - b2) <= 6,
                $"frame {f} centre pixel ({r},{g},{b}) came back as ({r2},{g2},{b2})");
        }
    }

    [FfmpegFact]
    public void Read_stops_at_max_frames()
    {
        using var folder = new TempFolder();
        var result = WriteBars(folder.File("long.mp4"), frames: 12, fps: 24);

        Assert.Equal(5, VideoFile.Read(result.Path, maxFrames: 5).Frames.Count);
    }

    [FfmpegFact]
    public void Streaming_writer_renames_into_place_only_on_complete()
    {
        using var folder = new TempFolder();
        string target = folder.File("stream.mp4");
        using var writer = VideoWriter.Open(target, 32, 32, new VideoWriteOptions { Fps = 5 });
        writer.Write(Frames.ColourBars(32, 32));

        Assert.False(File.Exists(target));
        writer.Complete();
        Assert.Equal(["stream.mp4"], folder.FileNames());
    }

    [FfmpegFact]
    public void Corrupt_video_names_the_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("garbage.mp4");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());

        var error = Assert.Throws<MediaException>(() => VideoFile.Read(path));
        Assert.Contains("garbage.mp4", error.Message);
    }
}
