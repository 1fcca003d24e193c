using Kinema.Tests.Shared;
using Kinema.Media;
using Kinema.Media.Gif;

namespace Kinema.Media.Tests;

public class GifFallbackTests
{
    private static VideoWriteResult WriteWithoutFfmpeg(string path, IEnumerable<RgbFrame> frames, double fps = 10, string? comment = null)
    {
        using var _ = Ffmpeg.OverrideForCurrentFlow("none");
        return VideoFile.Write(path, frames, new VideoWriteOptions { Fps = fps, Comment = comment });
    }

    [Fact]
    public void Without_ffmpeg_an_mp4_request_becomes_a_gif_beside_it()
    {
        using var folder = new TempFolder();
        var result = WriteWithoutFfmpeg(folder.File("clip.mp4"), [Frames.ColourBars(32, 16)]);

        Assert.Equal((folder.File("clip.gif"), VideoContainer.Gif), (result.Path, result.Format));
        Assert.Equal(["clip.gif"], folder.FileNames());
        Assert.Equal("GIF89a"u8.ToArray(), File.ReadAllBytes(result.Path)[..6]);
    }

    [Fact]
    public void The_notice_says_ffmpeg_is_missing_where_the_gif_went_and_how_to_get_mp4()
    {
        using var folder = new TempFolder();
        var result = WriteWithoutFfmpeg(folder.File("clip.mp4"), [Frames.ColourBars(32, 16)]);

        Assert.NotNull(result.Notice);
        Assert.DoesNotContain('\n', result.Notice);
        Assert.Contains("ffmpeg", result.Notice);
        Assert.Contains(result.Path, result.Notice);
        Assert.Contains("apt-get install ffmpeg", result.Notice);
        Assert.Contains("KINEMA_FFMPEG", result.Notice);
    }

    [Fact]
    public void Gif_frames_with_few_colours_decode_back_exactly_with_count_and_size()
    {
        using var folder = new TempFolder();
        var written = Enumerable.Range(0, 9).Select(i => Frames.ColourBars(40, 20, i * 3)).ToList();
        var result = WriteWithoutFfmpeg(folder.File("bars.mp4"), written);

        VideoClip clip;
        using (Ffmpeg.OverrideForCurrentFlow("none")) clip = VideoFile.Read(result.Path);

        Assert.Equal((9, 40, 20), (clip.Frames.Count, clip.Width, clip.Height));
        for (int f = 0; f < written.Count; f++) Assert.Equal(written[f].Pixels, clip.Frames[f].Pixels);
    }

    [Fact]
    public void Unchanged_frames_still_count_as_frames()
    {
        using var folder = new TempFolder();
        var still = Frames.ColourBars(16, 16);
        var result = WriteWithoutFfmpeg(folder.File("still.gif"), [still, still, still, still]);

        VideoClip clip;
        using (Ffmpeg.OverrideForCurrentFlow("none")) clip = VideoFile.Read(result.Path);

        Assert.Equal(4, clip.Frames.Count);
        Assert.Equal(still.Pixels, clip.Frames[3].Pixels);
    }

    // Tolerance: 256 median-cut colours for a smooth gradient with thousands of colours keep the mean
    // absolute error per channel under 6 of 255 (measured 4.9).
    [Fact]
    public void Gif_of_many_colours_without_dithering_decodes_close_to_the_original()
    {
        using var folder = new TempFolder();
        var written = Enumerable.Range(0, 3).Select(i => Frames.Gradient(64, 64, i)).ToList();
        var result = WriteGradient(folder.File("gradient.gif"), written, dithering: false);

        var clip = VideoFile.Read(result.Path);

        for (int f = 0; f < written.Count; f++) Assert.InRange(Frames.MeanAbsoluteError(written[f], clip.Frames[f]), 0, 6.0);
    }

    // Dithering trades per-pixel error for less banding: averaged over 4x4 blocks the colour is closer.
    [Fact]
    public void Dithering_brings_block_averages_closer_to_the_original()
    {
        using var folder = new TempFolder();
        var written = Enumerable.Range(0, 3).Select(i => Frames.Gradient(64, 64, i)).ToList();
        var plain = VideoFile.Read(WriteGradient(folder.File("plain.gif"), written, dithering: false).Path);
        var dithered = VideoFile.Read(WriteGradient(folder.File("dithered.gif"), written, dithering: true).Path);

        Assert.True(FrameComparison.BlockMeanDifference(written[0], dithered.Frames[0]) < FrameComparison.BlockMeanDifference(written[0], plain.Frames[0]));
    }

    private static VideoWriteResult WriteGradient(string path, IEnumerable<RgbFrame> frames, bool dithering) =>
        VideoFile.Write(path, frames, new VideoWriteOptions { Fps = 10, GifDithering = dithering });

    [Fact]
    public void Gif_delays_alternate_to_keep_the_average_rate()
    {
        int[] delays = Enumerable.Range(0, 24).Select(i => GifEncoder.DelayCentiseconds(i, 24)).ToArray();

        Assert.All(delays, d => Assert.InRange(d, 4, 5));
        Assert.Equal(100, delays.Sum());
    }

    [Fact]
    public void Gif_read_back_reports_the_written_rate()
    {
        using var folder = new TempFolder();
        var result = WriteWithoutFfmpeg(folder.File("rate.gif"), Enumerable.Range(0, 24).Select(i => Frames.ColourBars(8, 8, i)), fps: 24);

        VideoClip clip;
        using (Ffmpeg.OverrideForCurrentFlow("none")) clip = VideoFile.Read(result.Path);

        Assert.Equal(24.0, clip.Fps, precision: 6);
    }

    [Fact]
    public void Probe_without_ffmpeg_reads_our_gif_including_its_comment()
    {
        using var folder = new TempFolder();
        var result = WriteWithoutFfmpeg(folder.File("probe.gif"), [Frames.ColourBars(8, 6), Frames.ColourBars(8, 6, 1)], comment: "{\"seed\":3}");

        VideoProbe probe;
        using (Ffmpeg.OverrideForCurrentFlow("none")) probe = VideoFile.Probe(result.Path);

        Assert.Equal((8, 6, 2, "gif", "{\"seed\":3}"), (probe.Width, probe.Height, probe.FrameCount, probe.Codec, probe.Comment));
    }

    // Cross-check of the LZW encoder (including table resets on noisy data) against an independent decoder.
    [FfmpegFact]
    public void Ffmpeg_decodes_our_gif_to_the_same_pixels_as_our_decoder()
    {
        using var folder = new TempFolder();
        var result = WriteWithoutFfmpeg(folder.File("noise.gif"), Enumerable.Range(0, 3).Select(i => Frames.Noise(96, 64, i)));

        var ours = VideoFile.Read(result.Path);
        var theirs = Kinema.Media.Internal.FfmpegDecoder.Decode(Ffmpeg.Locate()!, result.Path, 96, 64, null);

        Assert.Equal(3, theirs.Count);
        for (int f = 0; f < theirs.Count; f++) Assert.Equal(ours.Frames[f].Pixels, theirs[f].Pixels);
    }

    [Fact]
    public void Reading_an_mp4_without_ffmpeg_says_ffmpeg_is_needed()
    {
        using var folder = new TempFolder();
        string path = folder.File("movie.mp4");
        File.WriteAllBytes(path, new byte[64]);

        using var _ = Ffmpeg.OverrideForCurrentFlow("none");
        var error = Assert.Throws<MediaException>(() => VideoFile.Read(path));
        Assert.Contains("movie.mp4", error.Message);
        Assert.Contains("ffmpeg", error.Message);
    }

    [Fact]
    public void Truncated_gif_names_the_file()
    {
        using var folder = new TempFolder();
        var result = WriteWithoutFfmpeg(folder.File("cut.gif"), [Frames.Gradient(32, 32)]);
        byte[] bytes = File.ReadAllBytes(result.Path);
        File.WriteAllBytes(result.Path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<MediaException>(() => VideoFile.Read(result.Path));
        Assert.Contains("cut.gif", error.Message);
        Assert.Contains("truncated", error.Message);
    }
}
