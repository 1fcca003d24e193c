using Kinema.Runtime;
using Kinema.Training.Data;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>The training noise levels: SD3's logit-normal, optionally shifted like the sampler's schedule.</summary>
public sealed class NoiseLevelTests
{
    public NoiseLevelTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void Shift_one_is_the_plain_logit_normal()
    {
        var normal = tensor(new float[] { -2f, -0.5f, 0f, 1.5f });
        Assert.True(DitTrainer.NoiseLevels(normal, 1.0).equal(normal.sigmoid()).all().item<bool>());
    }

    [Fact]
    public void Shift_three_maps_levels_as_the_sampler_does()
    {
        // σ' = 3σ / (1 + 2σ): the median 0.5 goes to 0.75; 0 and 1 stay fixed; the order is kept.
        var normal = tensor(new float[] { -30f, -1f, 0f, 1f, 30f });
        var shifted = DitTrainer.NoiseLevels(normal, 3.0).data<float>().ToArray();
        var plain = normal.sigmoid().data<float>().ToArray();
        for (int i = 0; i < plain.Length; i++) Assert.Equal(3 * plain[i] / (1 + 2 * plain[i]), shifted[i], 6);
        Assert.Equal(0.75f, shifted[2], 6);
        Assert.Equal(shifted.Order().ToArray(), shifted);
        // More training samples where sampling at shift 3 spends its first steps: above 0.9 for 1.4 % → 13.6 %.
        using var gen = new Generator(5);
        var draws = randn(new long[] { 200_000 }, generator: gen);
        double above = DitTrainer.NoiseLevels(draws, 3.0).gt(0.9).to(ScalarType.Float32).mean().item<float>();
        double abovePlain = DitTrainer.NoiseLevels(draws, 1.0).gt(0.9).to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(abovePlain, 0.012, 0.016);
        Assert.InRange(above, 0.130, 0.142);
    }

    [Fact]
    public void A_run_recorded_before_the_shift_existed_resumes_unchanged_at_shift_one()
    {
        string run = Directory.CreateTempSubdirectory("kinema-sigma-shift-").FullName;
        try
        {
            var options = new TrainingOptions { RunFolder = run, Buckets = ClipBucket.ParseList("64x64x1:1") };
            Assert.Empty(options.RecordOrCompare());
            Assert.Empty((options with { SigmaShift = 1.0 }).RecordOrCompare());
            Assert.Equal(["sigma_shift: (unset) -> 3"], (options with { SigmaShift = 3.0 }).RecordOrCompare());
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void A_resume_that_leaves_out_a_recorded_setting_is_reported()
    {
        string run = Directory.CreateTempSubdirectory("kinema-sigma-shift-").FullName;
        try
        {
            var options = new TrainingOptions { RunFolder = run, Buckets = ClipBucket.ParseList("64x64x1:1") };
            Assert.Empty((options with { SigmaShift = 3.0, ObjectWeight = 5.0 }).RecordOrCompare());
            Assert.Equal(["sigma_shift: 3 -> (default)", "object_weight: 5 -> (default)"], options.RecordOrCompare());
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
