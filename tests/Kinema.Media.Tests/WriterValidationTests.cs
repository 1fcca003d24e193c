using Kinema.Media;

namespace Kinema.Media.Tests;

public class WriterValidationTests
{
    [Fact]
    public void Odd_width_is_rejected_with_the_reason()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            VideoWriter.Open(Path.Combine(Path.GetTempPath(), "odd.mp4"), 33, 20, new VideoWriteOptions { Fps = 10 }));
        Assert.Contains("even", error.Message);
        Assert.Contains("yuv420p", error.Message);
    }

    [Fact]
    public void Unsupported_extension_lists_the_allowed_ones()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            VideoWriter.Open(Path.Combine(Path.GetTempPath(), "clip.avi"), 32, 32, new VideoWriteOptions { Fps = 10 }));
        Assert.Contains(".mp4, .gif", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    public void Fps_must_be_positive_and_finite(double fps)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VideoWriteOptions { Fps = fps });
    }

    [Fact]
    public void Crf_outside_0_to_51_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VideoWriteOptions { Fps = 10, Crf = 52 });
    }

    [Fact]
    public void Empty_frame_sequence_is_rejected()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ArgumentException>(() => VideoFile.Write(folder.File("none.mp4"), [], new VideoWriteOptions { Fps = 10 }));
        Assert.Contains("at least one frame", error.Message);
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void Frame_pixels_must_match_the_size()
    {
        var error = Assert.Throws<ArgumentException>(() => new RgbFrame(4, 4, new byte[47]));
        Assert.Contains("4x4", error.Message);
    }
}
