using Kinema.Models;
using Kinema.Runtime;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Models;

public class FrameLayerNormTests
{
    public FrameLayerNormTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void Each_frame_is_normalised_over_channels_height_and_width()
    {
        manual_seed(1);
        using var norm = new FrameLayerNorm(4);
        using var x = randn(new long[] { 2, 4, 3, 5, 6 }) * 3 + 7;
        using var y = norm.forward(x);
        // Reference written out by hand: per (batch, frame), subtract the mean and divide by the
        // population standard deviation of its C·H·W values.
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
            {
                using var frame = x[b].select(1, t);                            // (C, H, W)
                float[] values = frame.contiguous().data<float>().ToArray();
                double mean = values.Average();
                double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average() + 1e-6);
                float[] actual = y[b].select(1, t).contiguous().data<float>().ToArray();
                for (int i = 0; i < values.Length; i++) Assert.True(Math.Abs((values[i] - mean) / std - actual[i]) < 1e-4, $"element {i}: expected {(values[i] - mean) / std}, got {actual[i]}");
            }
    }

    [Fact]
    public void A_later_frame_never_changes_an_earlier_frames_output()
    {
        manual_seed(2);
        using var norm = new FrameLayerNorm(3);
        using var x = randn(new long[] { 1, 3, 4, 4, 4 });
        using var changed = x.clone();
        changed.select(2, 3).mul_(10).add_(5);
        using var before = norm.forward(x).narrow(2, 0, 3);
        using var after = norm.forward(changed).narrow(2, 0, 3);
        Assert.Equal(0f, (before - after).abs().max().item<float>());
    }
}
