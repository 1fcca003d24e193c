using Kinema.Training.Losses;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema train vae --temporal-weight W`: a loss on frame-to-frame changes, against judder at latent boundaries.</summary>
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
}
