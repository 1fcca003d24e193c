using Kinema.Training.Data;
using Kinema.World;

namespace Kinema.Training.Tests;

/// <summary>`kinema train vae --object-weight W`: the reconstruction loss weighs the objects' pixels W times.</summary>
public sealed class ObjectWeightTests
{
    private static TrainingBatch Batch(int seed)
    {
        var source = new WorldBatchSource(ClipBucket.ParseList("64x64x5:2"), seed);
        return source.Make(0);
    }

    private static TrainingOptions Options(double objectWeight) => TinyRuns.Options(Path.GetTempPath(), "unused") with { ObjectWeight = objectWeight };

    [Fact]
    public void Object_pixels_get_the_weight_and_the_scenery_keeps_one()
    {
        var batch = Batch(seed: 3);
        using var weights = VaeTrainer.ObjectPixelWeights(batch, Options(10), TorchSharp.torch.CPU);
        var values = weights.data<float>().ToArray();

        Assert.Equal(2 * 5 * 64 * 64, values.Length);
        Assert.All(values, v => Assert.True(v == 1f || v == 10f, $"unexpected weight {v}"));
        double objectFraction = values.Count(v => v == 10f) / (double)values.Length;
        // Every toy-world scene has one to four objects: some pixels, never most of the frame.
        Assert.InRange(objectFraction, 0.002, 0.5);
    }

    [Fact]
    public void Weighted_pixels_are_where_the_clip_differs_from_its_scenery()
    {
        var batch = Batch(seed: 11);
        var sample = batch.Samples[0];
        var scenery = SceneRenderer.RenderScenery(sample.Scene, new RenderSettings { Width = 64, Height = 64, Fps = 8, Seconds = 5 / 8.0 });
        using var weights = VaeTrainer.ObjectPixelWeights(batch, Options(4), TorchSharp.torch.CPU);
        var first = weights.data<float>().Take(64 * 64).ToArray();

        double weightedChange = 0, plainChange = 0;
        int weighted = 0, plain = 0;
        for (int p = 0; p < first.Length; p++)
        {
            double change = Enumerable.Range(0, 3).Max(c => Math.Abs(sample.Frames[0].Pixels[3 * p + c] - scenery[0].Pixels[3 * p + c]));
            if (first[p] == 4f) { weightedChange += change; weighted++; }
            else { plainChange += change; plain++; }
        }
        Assert.True(weighted > 0 && plain > 0);
        Assert.True(weightedChange / weighted > 40, $"weighted pixels differ from the scenery by {weightedChange / weighted:0.0} on average");
        Assert.True(plainChange / plain < 5, $"unweighted pixels differ from the scenery by {plainChange / plain:0.0} on average");
    }

    [Fact]
    public void An_object_weight_below_one_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => Options(0.5).Validate());
        Assert.Contains("object weight", error.Message);
    }
}
