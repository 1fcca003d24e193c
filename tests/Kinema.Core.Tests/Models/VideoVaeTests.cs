using Kinema.Models;
using Kinema.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Models;

public class VideoVaeTests
{
    public VideoVaeTests() => TorchRuntime.EnsureLoaded();

    private static VideoVae NewVae(bool shortcuts = false, TemporalUpsampling upsampling = TemporalUpsampling.Repeat)
    {
        manual_seed(1);
        var vae = new VideoVae(TinyConfigs.Vae with { ResamplingShortcuts = shortcuts, TemporalUpsampling = upsampling });
        vae.eval();
        return vae;
    }

    /// <summary>Max difference between each later latent frame and latent frame 0, for a video whose frames are all one image.</summary>
    private static float StaticVideoSpread(VideoVae vae)
    {
        using var guard = inference_mode();
        using var image = rand(new long[] { 1, 3, 1, 32, 32 }) * 2 - 1;
        using var video = image.expand(1, 3, 9, 32, 32).contiguous();
        using var latents = vae.Encode(video);
        using var first = latents.narrow(2, 0, 1);
        return (latents - first).abs().max().item<float>();
    }

    [Fact]
    public void An_inflated_vae_encodes_every_frame_of_a_still_video_as_the_first()
    {
        using var vae = NewVae(shortcuts: true);
        Assert.True(StaticVideoSpread(vae) > 1e-3f);   // before: the random frame-mixing weights make later frames differ
        vae.InflateFromImages();
        Assert.True(StaticVideoSpread(vae) < 1e-5f);
    }

    [Fact]
    public void Inflating_without_resampling_shortcuts_is_refused()
    {
        using var vae = NewVae(shortcuts: false);
        var error = Assert.Throws<InvalidOperationException>(() => vae.InflateFromImages());
        Assert.Contains("resampling_shortcuts", error.Message);
    }

    [Fact]
    public void Encoding_compresses_1_plus_4k_frames_to_1_plus_k_latents_and_8x_space()
    {
        using var vae = NewVae();
        using var guard = inference_mode();
        using var video = rand(new long[] { 1, 3, 9, 32, 48 }) * 2 - 1;
        using var latents = vae.Encode(video);
        Assert.Equal(new long[] { 1, 4, 3, 4, 6 }, latents.shape);
    }

    [Fact]
    public void Decoding_expands_1_plus_k_latents_to_1_plus_4k_frames()
    {
        using var vae = NewVae();
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 3, 4, 6 });
        using var video = vae.DecodeWhole(latents);
        Assert.Equal(new long[] { 1, 3, 9, 32, 48 }, video.shape);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Changing_a_later_frame_leaves_earlier_latents_unchanged(bool shortcuts)
    {
        using var vae = NewVae(shortcuts);
        using var guard = inference_mode();
        using var video = rand(new long[] { 1, 3, 13, 16, 16 }) * 2 - 1;
        using var edited = video.clone();
        edited[.., .., 9] = rand(1, 3, 16, 16);                                 // frame 9 belongs to latent frame 3
        using var a = vae.Encode(video);
        using var b = vae.Encode(edited);
        Assert.True((a.narrow(2, 0, 3) - b.narrow(2, 0, 3)).abs().max().item<float>() == 0, "latent frames 0-2 must not see frame 9");
        Assert.False(a.narrow(2, 3, 1).allclose(b.narrow(2, 3, 1)), "latent frame 3 must see frame 9");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void First_frame_is_encoded_on_its_own(bool shortcuts)
    {
        using var vae = NewVae(shortcuts);
        using var guard = inference_mode();
        using var video = rand(new long[] { 1, 3, 5, 16, 16 }) * 2 - 1;
        using var alone = vae.Encode(video.narrow(2, 0, 1));
        using var within = vae.Encode(video);
        Assert.True(alone.allclose(within.narrow(2, 0, 1), rtol: 0, atol: 1e-6));
    }

    [Theory]
    [InlineData(false, TemporalUpsampling.Repeat)]
    [InlineData(true, TemporalUpsampling.Repeat)]
    [InlineData(true, TemporalUpsampling.Linear)]
    public void Chunked_decode_equals_whole_decode_within_1e_5(bool shortcuts, TemporalUpsampling upsampling)
    {
        // Same arithmetic in a different order of concatenation; only float rounding may differ.
        using var vae = NewVae(shortcuts, upsampling);
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 5, 4, 4 });
        using var whole = vae.DecodeWhole(latents);
        using var chunked = vae.Decode(latents, latentFramesPerChunk: 1);
        using var twoAtATime = vae.Decode(latents, latentFramesPerChunk: 2);
        Assert.Equal(whole.shape, chunked.shape);
        Assert.True((whole - chunked).abs().max().item<float>() < 1e-5f);
        Assert.True((whole - twoAtATime).abs().max().item<float>() < 1e-5f);
    }

    [Theory]
    [InlineData(false, TemporalUpsampling.Repeat)]
    [InlineData(true, TemporalUpsampling.Repeat)]
    [InlineData(true, TemporalUpsampling.Linear)]
    public void Decoder_is_causal_in_latent_frames(bool shortcuts, TemporalUpsampling upsampling)
    {
        using var vae = NewVae(shortcuts, upsampling);
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 3, 4, 4 });
        using var edited = latents.clone();
        edited[.., .., 2] = randn(1, 4, 4, 4);
        using var a = vae.DecodeWhole(latents);
        using var b = vae.DecodeWhole(edited);
        Assert.True((a.narrow(2, 0, 5) - b.narrow(2, 0, 5)).abs().max().item<float>() == 0, "frames 0-4 come from latent frames 0-1 only");
    }

    [Fact]
    public void Latent_normalisation_round_trips()
    {
        var config = TinyConfigs.Vae with { LatentsMean = [0.5f, -1f, 2f, 0f], LatentsStd = [2f, 0.5f, 1f, 3f] };
        using var vae = new VideoVae(config);
        using var x = randn(new long[] { 1, 4, 2, 3, 3 });
        using var normalized = vae.Normalize(x);
        using var back = vae.Denormalize(normalized);
        using var expectedChannel1 = (x.select(1, 1) + 1f) / 0.5f;
        Assert.True(normalized.select(1, 1).allclose(expectedChannel1, rtol: 1e-5, atol: 1e-6));
        Assert.True(back.allclose(x, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Wrong_frame_count_is_rejected_with_the_allowed_counts()
    {
        using var vae = NewVae();
        using var video = zeros(new long[] { 1, 3, 6, 16, 16 });
        var e = Assert.Throws<ArgumentException>(() => vae.Encode(video));
        Assert.Contains("1 + 4k", e.Message);
    }

    [Fact]
    public void Size_not_a_multiple_of_8_is_rejected()
    {
        using var vae = NewVae();
        using var video = zeros(new long[] { 1, 3, 5, 20, 16 });
        var e = Assert.Throws<ArgumentException>(() => vae.Encode(video));
        Assert.Contains("multiples of 8", e.Message);
    }

    [Fact]
    public void Resampling_shortcuts_add_no_weights()
    {
        using var plain = new VideoVae(TinyConfigs.Vae);
        using var withShortcuts = new VideoVae(TinyConfigs.Vae with { ResamplingShortcuts = true });
        var plainShapes = plain.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]").ToList();
        var shortcutShapes = withShortcuts.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]").ToList();
        Assert.Equal(plainShapes, shortcutShapes);
    }

    [Fact]
    public void Resampling_shortcuts_change_the_output()
    {
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 2, 4, 4 });
        using var plain = NewVae(false);
        using var withShortcuts = NewVae(true);
        withShortcuts.load_state_dict(plain.state_dict());
        using var a = plain.DecodeWhole(latents);
        using var b = withShortcuts.DecodeWhole(latents);
        Assert.False(a.allclose(b, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Shortcuts_with_channel_counts_that_do_not_divide_are_rejected()
    {
        var config = TinyConfigs.Vae with { BaseChannels = 3, ChannelMultipliers = [1, 2, 3, 3], ResamplingShortcuts = true };
        var e = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains("resampling_shortcuts", e.Message);
        Assert.Contains("[3, 6, 9, 9]", e.Message);
    }

    /// <summary>The time-doubling shortcut alone: every weight of the upsampling layer zeroed, one channel, a 1x1 frame.</summary>
    private static float[] ShortcutFrames(TemporalUpsampling upsampling, float[] frames)
    {
        using var up = new VideoUpsample(1, 1, doubleTime: true, shortcut: true, upsampling);
        using (no_grad()) foreach (var parameter in up.parameters()) parameter.zero_();
        using var guard = inference_mode();
        using var cache = new CausalCache();
        using var x = tensor(frames).view(1, 1, frames.Length, 1, 1);
        using var y = up.forward(x, cache);
        return y.narrow(3, 0, 1).narrow(4, 0, 1).flatten().data<float>().ToArray();
    }

    [Fact]
    public void Repeat_upsampling_draws_both_frames_of_a_pair_alike()
    {
        Assert.Equal(new[] { 0f, 4f, 4f, 8f, 8f }, ShortcutFrames(TemporalUpsampling.Repeat, [0f, 4f, 8f]));
    }

    [Fact]
    public void Linear_upsampling_turns_steady_change_into_even_steps_around_each_frame()
    {
        // Frame t becomes x_t ∓ (x_t − x_{t−1})/4: 8 → 7, 9 after 4; each pair's mean is its frame, as the encoder's average recorded.
        Assert.Equal(new[] { 0f, 3f, 5f, 7f, 9f, 11f, 13f }, ShortcutFrames(TemporalUpsampling.Linear, [0f, 4f, 8f, 12f]));
    }

    [Fact]
    public void Linear_upsampling_adds_no_weights_and_changes_the_decoder_output()
    {
        using var guard = inference_mode();
        using var latents = randn(new long[] { 1, 4, 3, 4, 4 });
        using var repeat = NewVae(true);
        using var linear = NewVae(true, TemporalUpsampling.Linear);
        linear.load_state_dict(repeat.state_dict());
        using var a = repeat.DecodeWhole(latents);
        using var b = linear.DecodeWhole(latents);
        Assert.True(a.narrow(2, 0, 1).allclose(b.narrow(2, 0, 1)), "the first frame has nothing to move from");
        Assert.False(a.allclose(b, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Linear_upsampling_without_resampling_shortcuts_is_refused()
    {
        var config = TinyConfigs.Vae with { TemporalUpsampling = TemporalUpsampling.Linear };
        var e = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains("temporal_upsampling", e.Message);
        Assert.Contains("resampling_shortcuts", e.Message);
    }
}
