using Kinema.Training.Losses;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema train vae|dit --temporal-weight W`: a loss on frame-to-frame changes, against judder at latent boundaries.</summary>
public sealed class TemporalDifferenceTests
{
    private static Tensor Video(params float[] frameValues)
    {
        // (1, 1, T, 2, 2): every pixel of frame t holds frameValues[t].
        var data = frameValues.SelectMany(v => Enumerable.Repeat(v, 4)).ToArray();
        return tensor(data, new long[] { 1, 1, frameValues.Length, 2, 2 });
    }

    [Fact]
    public void A_reconstruction_off_by_the_same_amount_in_every_frame_costs_nothing()
    {
        using var loss = TemporalDifference.Mean(Video(0.1f, 0.2f, 0.3f, 0.4f), Video(0.6f, 0.7f, 0.8f, 0.9f));
        Assert.Equal(0f, loss.item<float>(), 1e-6f);
    }

    [Fact]
    public void Motion_held_still_then_released_in_one_jump_costs_the_changes_it_misses()
    {
        // The source moves 0.1 per frame; the reconstruction holds still for three frames and jumps 0.3 on the fourth:
        // changes 0, 0, 0.3 against 0.1, 0.1, 0.1 → errors 0.1, 0.1, 0.2 → mean 0.4 / 3.
        using var loss = TemporalDifference.Mean(Video(0f, 0f, 0f, 0.3f), Video(0f, 0.1f, 0.2f, 0.3f));
        Assert.Equal(0.4f / 3, loss.item<float>(), 1e-6f);
    }

    [Fact]
    public void Step_energy_does_not_charge_a_change_of_the_right_size_in_another_direction()
    {
        // Rain the decoder cannot place: the source brightens 0.2 a frame where the reconstruction darkens 0.2. The L1
        // on changes charges 0.4 a step and is least for no change at all; the step energy charges nothing.
        using var reconstruction = Video(0.8f, 0.6f, 0.4f);
        using var video = Video(0.2f, 0.4f, 0.6f);
        using var energy = TemporalDifference.StepEnergy(reconstruction, video, block: 2);
        using var difference = TemporalDifference.Mean(reconstruction, video);
        Assert.Equal(0f, energy.item<float>(), 1e-6f);
        Assert.Equal(0.4f, difference.item<float>(), 1e-6f);
    }

    [Fact]
    public void Step_energy_charges_big_and_small_steps_where_the_source_steps_evenly()
    {
        // Steps 0, 0, 0.3 against 0.1, 0.1, 0.1 → errors 0.1, 0.1, 0.2 → mean 0.4 / 3.
        using var loss = TemporalDifference.StepEnergy(Video(0f, 0f, 0f, 0.3f), Video(0f, 0.1f, 0.2f, 0.3f), block: 2);
        Assert.Equal(0.4f / 3, loss.item<float>(), 1e-6f);
    }

    [Fact]
    public void Step_energy_compares_blocks_averaged_over_channels_and_pixels_not_single_values()
    {
        // (1, 2, 2, 4, 4), block 2. The source moves one pixel of channel 0 by 0.8 in the top-left block; the
        // reconstruction moves all four pixels of that block in channel 1 by 0.2. Each block changes by 0.1 on average
        // over channels and pixels, so nothing is charged; compared pixel by pixel or channel by channel it would be.
        var source = new float[2 * 2 * 16];
        var reconstruction = new float[2 * 2 * 16];
        static int At(int channel, int frame, int y, int x) => ((channel * 2 + frame) * 4 + y) * 4 + x;
        source[At(0, 1, 0, 0)] = 0.8f;
        foreach (var (y, x) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) }) reconstruction[At(1, 1, y, x)] = 0.2f;
        using var a = tensor(reconstruction, new long[] { 1, 2, 2, 4, 4 });
        using var b = tensor(source, new long[] { 1, 2, 2, 4, 4 });
        using var energy = TemporalDifference.StepEnergy(a, b, block: 2);
        Assert.Equal(0f, energy.item<float>(), 1e-6f);
        // The same change in another block is charged: 0.1 off in two of the four blocks.
        reconstruction = new float[2 * 2 * 16];
        foreach (var (y, x) in new[] { (2, 2), (2, 3), (3, 2), (3, 3) }) reconstruction[At(1, 1, y, x)] = 0.2f;
        using var moved = tensor(reconstruction, new long[] { 1, 2, 2, 4, 4 });
        using var charged = TemporalDifference.StepEnergy(moved, b, block: 2);
        Assert.Equal(0.05f, charged.item<float>(), 1e-6f);
    }

    [Fact]
    public void Step_energy_refuses_a_block_larger_than_the_frame()
    {
        var error = Assert.Throws<ArgumentException>(() => TemporalDifference.StepEnergy(Video(0f, 1f), Video(0f, 1f), block: 8));
        Assert.Contains("does not fit a 2x2 frame", error.Message);
    }

    [Fact]
    public void A_single_frame_has_no_change_to_compare()
    {
        using var loss = TemporalDifference.Mean(Video(0.5f), Video(0.1f));
        Assert.Equal(0f, loss.item<float>());
    }

    [Fact]
    public void A_negative_temporal_weight_is_refused_by_name()
    {
        var options = TinyRuns.Options(Path.GetTempPath(), "unused") with { TemporalWeight = -1 };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("temporal weight", error.Message);
    }

    [Fact]
    public void A_negative_step_energy_weight_is_refused_by_name()
    {
        var options = TinyRuns.Options(Path.GetTempPath(), "unused") with { StepEnergyWeight = -1 };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("step energy weight", error.Message);
    }

    /// <summary>A velocity error of (1, 1, T, 1, 1) holding <paramref name="perFrame"/>, and per-frame noise levels (1, T).</summary>
    private static float LatentChangeError(float[] perFrame, float[] sigma)
    {
        using var error = tensor(perFrame, new long[] { 1, 1, perFrame.Length, 1, 1 });
        using var levels = tensor(sigma, new long[] { 1, sigma.Length });
        using var loss = TemporalDifference.LatentChangeError(error, levels);
        return loss.item<float>();
    }

    [Fact]
    public void An_estimate_error_shared_by_neighbouring_latent_frames_costs_nothing()
        => Assert.Equal(0f, LatentChangeError([0.4f, 0.4f, 0.4f], [0.5f, 0.5f, 0.5f]), 1e-6f);

    [Fact]
    public void An_estimate_error_that_flips_between_latent_frames_costs_its_squared_jumps()
        // Estimate errors σ·e = 0.5, −0.5, 0.5: jumps of −1 and 1, squared 1 each.
        => Assert.Equal(1f, LatentChangeError([1f, -1f, 1f], [0.5f, 0.5f, 0.5f]), 1e-6f);

    [Fact]
    public void A_given_frame_counts_as_exact_so_the_seam_to_the_first_generated_frame_is_weighed()
        // The given frame's velocity error (5) is ignored: its estimate is the clean latent itself. Seam jump 0 → 0.5.
        => Assert.Equal(0.25f, LatentChangeError([5f, 1f], [0f, 0.5f]), 1e-6f);

    [Fact]
    public void Pairs_of_given_frames_are_left_out_of_the_mean()
        // Only the second pair holds a generated frame: 0.25 over one pair, not over two.
        => Assert.Equal(0.25f, LatentChangeError([3f, 3f, 1f], [0f, 0f, 0.5f]), 1e-6f);

    [Fact]
    public void A_single_latent_frame_has_no_change_to_weigh()
        => Assert.Equal(0f, LatentChangeError([2f], [0.7f]));
}
