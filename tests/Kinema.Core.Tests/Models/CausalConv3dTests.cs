using Kinema.Models;
using Kinema.Runtime;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Core.Tests.Models;

public class CausalConv3dTests
{
    public CausalConv3dTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void A_lone_first_frame_equals_the_convolution_over_two_zero_frames_before_it()
    {
        manual_seed(3);
        using var conv = new CausalConv3d(4, 5);
        using var guard = inference_mode();
        using var frame = randn(new long[] { 2, 4, 1, 6, 7 });
        using var cache = new CausalCache();
        using var output = conv.forward(frame, cache);

        var weights = conv.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var padded = cat(new[] { zeros(new long[] { 2, 4, 2, 6, 7 }), frame }, 2);
        using var reference = F.conv3d(padded, weights["conv.weight"], weights["conv.bias"], padding: new long[] { 0, 1, 1 });
        Assert.Equal(reference.shape, output.shape);
        Assert.True(output.allclose(reference, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void A_second_chunk_after_a_lone_first_frame_sees_that_frame()
    {
        manual_seed(4);
        using var conv = new CausalConv3d(3, 3);
        using var guard = inference_mode();
        using var video = randn(new long[] { 1, 3, 3, 5, 5 });
        using var wholeCache = new CausalCache();
        using var whole = conv.forward(video, wholeCache);
        using var chunkCache = new CausalCache();
        using var first = conv.forward(video.narrow(2, 0, 1), chunkCache);
        using var rest = conv.forward(video.narrow(2, 1, 2), chunkCache);
        Assert.True(cat(new[] { first, rest }, 2).allclose(whole, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void A_single_clip_convolved_window_by_window_equals_the_plain_convolution()
    {
        manual_seed(5);
        using var conv = new CausalConv3d(16, 8);
        using var guard = inference_mode();
        using var video = randn(new long[] { 1, 16, 6, 20, 24 });              // small: libtorch would convolve it natively
        using var padded = cat(new[] { zeros(new long[] { 1, 16, 2, 20, 24 }), video }, 2);
        Assert.True(conv.TakesSlowCpuPath(padded));

        using var cache = new CausalCache();
        using var output = conv.forward(video, cache);
        var weights = conv.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var reference = F.conv3d(padded, weights["conv.weight"], weights["conv.bias"], padding: new long[] { 0, 1, 1 });
        Assert.Equal(reference.shape, output.shape);
        Assert.True(output.allclose(reference, rtol: 1e-5, atol: 1e-5));
    }

    [Theory]
    [InlineData(2, 16, 8, 20)]     // a batch: oneDNN already
    [InlineData(1, 64, 8, 64)]     // large enough: oneDNN already
    [InlineData(1, 16, 3, 20)]     // one output frame after the two past frames: nothing to batch
    public void Only_single_small_clips_take_the_window_path(long batch, long channels, long paddedFrames, long rows)
    {
        using var conv = new CausalConv3d(channels, 4);
        using var padded = zeros(new long[] { batch, channels, paddedFrames, rows, 8 });
        Assert.False(conv.TakesSlowCpuPath(padded));
    }
}
