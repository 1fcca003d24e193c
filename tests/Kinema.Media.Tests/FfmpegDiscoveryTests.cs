using Kinema.Media;
using Kinema.Media.Internal;

namespace Kinema.Media.Tests;

public class FfmpegDiscoveryTests
{
    [Fact]
    public void None_means_ffmpeg_is_absent()
    {
        Assert.Null(Ffmpeg.Resolve("none", "ffmpeg"));
    }

    [Fact]
    public void A_setting_that_names_no_file_means_ffmpeg_is_absent()
    {
        Assert.Null(Ffmpeg.Resolve("/nonexistent/kinema/ffmpeg", "ffmpeg"));
    }

    [Fact]
    public void A_setting_that_names_an_existing_file_is_used()
    {
        using var folder = new TempFolder();
        string fake = folder.File("my-ffmpeg");
        File.WriteAllText(fake, "");
        Assert.Equal(fake, Ffmpeg.Resolve(fake, "ffmpeg"));
    }

    [Fact]
    public void Flow_override_hides_ffmpeg_until_disposed()
    {
        bool before = Ffmpeg.IsAvailable;
        using (Ffmpeg.OverrideForCurrentFlow("none"))
        {
            Assert.False(Ffmpeg.IsAvailable);
        }
        Assert.Equal(before, Ffmpeg.IsAvailable);
    }

    [Theory]
    [InlineData(24.0, "24")]
    [InlineData(29.97, "30000/1001")]
    [InlineData(23.976, "24000/1001")]
    [InlineData(12.5, "25/2")]
    public void Frame_rates_become_exact_rationals(double fps, string expected)
    {
        Assert.Equal(expected, FrameRate.ToRational(fps));
    }
}
