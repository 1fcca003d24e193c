using Kinema.Models;
using Kinema.Runtime;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Models;

public class VideoDitTests
{
    public VideoDitTests() => TorchRuntime.EnsureLoaded();

    private static VideoDit NewDit(bool randomHead = true)
    {
        manual_seed(3);
        var dit = new VideoDit(TinyConfigs.Dit);
        dit.InitializeWeights();
        if (randomHead)
        {
            // adaLN-Zero makes a fresh model output exactly zero; perturb every weight so tests can see signal.
            using var noGrad = no_grad();
            foreach (var p in dit.parameters()) p.add_(randn_like(p) * 0.05);
        }
        dit.eval();
        return dit;
    }

    private static (Tensor Context, Tensor Mask) Text(long batch, long length)
        => (randn(batch, length, TinyConfigs.Dit.TextDim), ones(batch, length, dtype: ScalarType.Bool));

    [Fact]
    public void The_velocity_skip_adds_sigma_times_the_input_per_frame()
    {
        using var plain = NewDit();
        manual_seed(3);
        using var skipped = new VideoDit(TinyConfigs.Dit with { VelocitySkip = true });
        skipped.load_state_dict(plain.state_dict());
        skipped.eval();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 3, 4, 4 });
        var (context, mask) = Text(1, 5);
        // Per-frame timesteps: a clean conditioning frame (t = 0) gets no skip.
        using var t = tensor(new float[] { 0, 500, 1000 }).view(1, 3);
        using var difference = skipped.Forward(latents, t, context, mask) - plain.Forward(latents, t, context, mask);
        Assert.True(difference.select(2, 0).abs().max().item<float>() < 1e-6);
        Assert.True(allclose(difference.select(2, 1), latents.select(2, 1) * 0.5, 1e-5, 1e-5));
        Assert.True(allclose(difference.select(2, 2), latents.select(2, 2), 1e-5, 1e-5));
    }

    [Theory]
    [InlineData(1, 4, 4)]     // one frame (an image), square
    [InlineData(3, 4, 8)]     // landscape
    [InlineData(5, 8, 2)]     // portrait, longer
    [InlineData(2, 6, 6)]     // an even number of latent frames
    public void Output_has_the_input_shape_at_any_duration_and_aspect_ratio(long frames, long height, long width)
    {
        using var dit = NewDit();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 2, 4, frames, height, width });
        var (context, mask) = Text(2, 5);
        using var t = tensor(new float[] { 500, 100 });
        using var velocity = dit.Forward(latents, t, context, mask);
        Assert.Equal(latents.shape, velocity.shape);
        Assert.True(velocity.isfinite().all().item<bool>());
        context.Dispose(); mask.Dispose();
    }

    [Fact]
    public void A_freshly_initialised_model_predicts_zero_as_adaLN_Zero_intends()
    {
        using var dit = NewDit(randomHead: false);
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 2, 4, 4 });
        var (context, mask) = Text(1, 3);
        using var velocity = dit.Forward(latents, tensor(new float[] { 300 }), context, mask);
        Assert.Equal(0f, velocity.abs().max().item<float>());
    }

    [Fact]
    public void Size_not_divisible_by_the_patch_is_rejected_with_both_sizes()
    {
        using var dit = NewDit();
        using var latents = randn(new long[] { 1, 4, 2, 5, 4 });
        var (context, mask) = Text(1, 3);
        var e = Assert.Throws<ArgumentException>(() => dit.Forward(latents, tensor(new float[] { 1 }), context, mask));
        Assert.Contains("2x5x4", e.Message);
        Assert.Contains("1x2x2", e.Message);
    }

    [Fact]
    public void Padded_text_tokens_do_not_change_the_output()
    {
        using var dit = NewDit();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 2, 4, 4 });
        using var t = tensor(new float[] { 400 });
        var (context, _) = Text(1, 6);
        using var mask = tensor(new[] { true, true, true, false, false, false }).view(1, 6);
        using var other = context.clone();
        other[.., 3..] = randn(1, 3, TinyConfigs.Dit.TextDim) * 10;
        using var a = dit.Forward(latents, t, context, mask);
        using var b = dit.Forward(latents, t, other, mask);
        using var shorter = dit.Forward(latents, t, context.narrow(1, 0, 3), ones(1, 3, dtype: ScalarType.Bool));
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6), "masked tokens leaked into the output");
        Assert.True(a.allclose(shorter, rtol: 1e-4, atol: 1e-5), "padding changed the result versus no padding");
    }

    [Fact]
    public void Unmasked_text_changes_the_output()
    {
        using var dit = NewDit();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 2, 4, 4 });
        using var t = tensor(new float[] { 400 });
        var (a, mask) = Text(1, 4);
        var (b, _) = Text(1, 4);
        using var va = dit.Forward(latents, t, a, mask);
        using var vb = dit.Forward(latents, t, b, mask);
        Assert.False(va.allclose(vb, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Per_frame_timesteps_equal_to_a_shared_timestep_give_the_same_output()
    {
        using var dit = NewDit();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 3, 4, 4 });
        var (context, mask) = Text(1, 3);
        using var shared = dit.Forward(latents, tensor(new float[] { 250 }), context, mask);
        using var perFrame = dit.Forward(latents, tensor(new float[] { 250, 250, 250 }).view(1, 3), context, mask);
        Assert.True(shared.allclose(perFrame, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Batch_items_are_independent()
    {
        using var dit = NewDit();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 2, 4, 2, 4, 4 });
        var (context, mask) = Text(2, 3);
        using var t = tensor(new float[] { 700, 200 });
        using var both = dit.Forward(latents, t, context, mask);
        using var first = dit.Forward(latents.narrow(0, 0, 1), t.narrow(0, 0, 1), context.narrow(0, 0, 1), mask.narrow(0, 0, 1));
        Assert.True(both.narrow(0, 0, 1).allclose(first, rtol: 1e-4, atol: 1e-5));
    }
}
