using Kinema.Media;
using Kinema.Responsibility.Publishing;
using Kinema.Responsibility.Verification;
using Kinema.Responsibility.Watermark;

namespace Kinema.Responsibility.Tests;

public sealed class PublishingTests
{
    private static readonly WatermarkKey Key = WatermarkKey.FromPassphrase("tests");

    private static ProvenanceInfo Info(string id = "vid_publish") => new() { VideoId = id, Model = "kinema-test-model", Prompt = "a red ball on grass" };

    [Fact]
    public void A_published_video_verifies_with_credentials_and_a_matching_watermark()
    {
        using var credentials = TestSupport.Credentials();
        string path = Path.Combine(TestSupport.TempFolder(), "out.mp4");
        var published = ProvenancePublisher.WriteVideo(path, TestSupport.Frames(128, 128, 16), 8, Info(), new ProvenanceOptions { Credentials = credentials, WatermarkKey = Key });
        var report = Verifier.Verify(published.Path, Key);
        Assert.True(report.Credentials.IsValid, string.Join("; ", report.Credentials.Problems));
        Assert.True(report.Watermark!.Found);
        Assert.True(report.Consistent);
        Assert.Equal(WatermarkCodec.ToHex(WatermarkCodec.PayloadFor("vid_publish")), report.Watermark.PayloadHex);
        Assert.Equal(ProvenancePublisher.Sha256Hex("a red ball on grass"), report.Credentials.PromptSha256);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary files left behind
    }

    [Fact]
    public void A_published_png_verifies()
    {
        using var credentials = TestSupport.Credentials();
        string path = Path.Combine(TestSupport.TempFolder(), "out.png");
        ProvenancePublisher.WriteImage(path, TestSupport.Frames(192, 192, 1)[0], Info("vid_image"), new ProvenanceOptions { Credentials = credentials, WatermarkKey = Key });
        var report = Verifier.Verify(path, Key);
        Assert.True(report.ProvenanceConfirmed && report.Credentials.IsValid);
        Assert.Equal("vid_image", report.Credentials.VideoId);
    }

    [Fact]
    public void A_stripped_copy_is_still_recognised_by_its_watermark()
    {
        using var credentials = TestSupport.Credentials();
        string folder = TestSupport.TempFolder();
        var published = ProvenancePublisher.WriteVideo(Path.Combine(folder, "out.mp4"), TestSupport.Frames(128, 128, 16), 8, Info(), new ProvenanceOptions { Credentials = credentials, WatermarkKey = Key });
        string copy = Path.Combine(folder, "copy.mp4");
        TestSupport.RunFfmpeg("-v", "error", "-i", published.Path, "-map_metadata", "-1", "-c:v", "libx264", "-crf", "20", "-y", copy);
        var report = Verifier.Verify(copy, Key);
        Assert.False(report.Credentials.Present);
        Assert.True(report.ProvenanceConfirmed);
    }

    [Fact]
    public void A_plain_video_has_no_provenance()
    {
        string path = Path.Combine(TestSupport.TempFolder(), "plain.mp4");
        VideoFile.Write(path, TestSupport.Frames(128, 128, 8), new VideoWriteOptions { Fps = 8 });
        Assert.False(Verifier.Verify(path, Key).ProvenanceConfirmed);
    }

    [Fact]
    public void Verifying_a_missing_file_throws_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => Verifier.Verify(Path.Combine(TestSupport.TempFolder(), "none.mp4"), Key));
    }

    [Fact]
    public void The_visible_mark_changes_only_the_bottom_right_corner()
    {
        var frame = TestSupport.Frames(192, 108, 1)[0];
        var stamped = VisibleMark.Stamp(frame);
        for (int y = 0; y < frame.Height; y++)
            for (int x = 0; x < frame.Width; x++)
                if (frame.GetPixel(x, y) != stamped.GetPixel(x, y))
                    Assert.True(x > frame.Width / 2 && y > frame.Height / 2, $"pixel ({x}, {y}) changed");
        Assert.NotEqual(frame.Pixels, stamped.Pixels);
    }
}
