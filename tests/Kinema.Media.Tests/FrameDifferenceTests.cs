using Kinema.Media;
using Xunit;

namespace Kinema.Media.Tests;

/// <summary><see cref="RgbFrame.MeanAbsoluteDifference"/>: the frame-to-frame change that seam and judder measures use.</summary>
public class FrameDifferenceTests
{
    [Fact]
    public void Difference_is_the_mean_over_every_byte_whichever_frame_is_brighter()
    {
        var dark = new RgbFrame(1, 2, [0, 0, 0, 0, 0, 0]);
        var lit = new RgbFrame(1, 2, [12, 0, 0, 0, 0, 255]);   // (12 + 255) / 6 bytes

        Assert.Equal(44.5, dark.MeanAbsoluteDifference(lit), 9);
        Assert.Equal(44.5, lit.MeanAbsoluteDifference(dark), 9);
    }

    [Fact]
    public void Frames_of_different_sizes_are_refused_with_both_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => new RgbFrame(2, 2).MeanAbsoluteDifference(new RgbFrame(2, 3)));
        Assert.Contains("2x2", error.Message);
        Assert.Contains("2x3", error.Message);
    }
}
