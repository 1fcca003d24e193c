using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training.Checkpoints;
using Kinema.Training.Data;
using Kinema.Training.Losses;
using Kinema.World;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema train vae|dit --object-weight W`: the loss weighs the objects' pixels (or the latents that encode them) W times.</summary>
public sealed class ObjectWeightTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-object-weight-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

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
        using var weights = ObjectWeights.Pixels(batch, 10, 8, TorchSharp.torch.CPU);
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
        using var weights = ObjectWeights.Pixels(batch, 4, 8, TorchSharp.torch.CPU);
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

    [Fact]
    public void Latent_weights_take_the_largest_weight_of_the_pixels_each_voxel_encodes()
    {
        // 9 frames of 8x8 at 4x spatial and 4x temporal compression: latent frames {0}, {1-4}, {5-8}, 2x2 voxels each.
        var pixels = ones(new long[] { 1, 1, 9, 8, 8 });
        pixels[0, 0, 0, 0, 0] = tensor(5f);   // frame 0, top-left
        pixels[0, 0, 4, 5, 1] = tensor(3f);   // frame 4 (last of latent frame 1), bottom-left
        pixels[0, 0, 5, 7, 7] = tensor(7f);   // frame 5 (first of latent frame 2), bottom-right
        using var latents = ObjectWeights.Latents(pixels, spatial: 4, temporal: 4);

        Assert.Equal(new long[] { 1, 1, 3, 2, 2 }, latents.shape);
        var expected = new float[3 * 2 * 2];
        Array.Fill(expected, 1f);
        expected[0 * 4 + 0 * 2 + 0] = 5f;
        expected[1 * 4 + 1 * 2 + 0] = 3f;
        expected[2 * 4 + 1 * 2 + 1] = 7f;
        Assert.Equal(expected, latents.data<float>().ToArray());
    }

    [Fact]
    public void Latent_weights_refuse_a_frame_count_off_the_causal_grid()
    {
        var error = Assert.Throws<ArgumentException>(() => ObjectWeights.Latents(ones(new long[] { 1, 1, 6, 8, 8 }), spatial: 4, temporal: 4));
        Assert.Contains("6 frames", error.Message);
    }

    /// <summary>Trains one step of a tiny transformer per options on one shared VAE; returns each run's weights and its training.json.</summary>
    private IReadOnlyList<(byte[] Weights, string Record)> TrainOneStep(params (string Name, double Weight, double MaxSigma)[] runs)
    {
        var vaeConfig = ModelPresets.Tiny(4).Vae;
        string vaeFolder = Path.Combine(_root, "vae");
        manual_seed(0);
        using (var vae = new VideoVae(vaeConfig)) VaeTrainer.Export(vae, vaeConfig, vaeFolder);
        return runs.Select(run =>
        {
            var options = TinyRuns.Options(_root, run.Name) with
            {
                ObjectWeight = run.Weight, ObjectWeightMaxSigma = run.MaxSigma, Buckets = ClipBucket.ParseList("64x64x5:1"),
            };
            DitTrainer.Run(options, vaeFolder, ModelPresets.Tiny(4), _ => { }, CancellationToken.None);
            return (File.ReadAllBytes(Path.Combine(options.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile)),
                File.ReadAllText(Path.Combine(options.RunFolder, "training.json")));
        }).ToList();
    }

    [Fact]
    public void A_transformer_run_with_an_object_weight_records_it_and_learns_differently()
    {
        var runs = TrainOneStep(("plain", 1, 1), ("weighted", 20, 1));

        Assert.Contains("\"object_weight\": \"20\"", runs[1].Record);
        Assert.NotEqual(runs[0].Weights, runs[1].Weights);
    }

    [Fact]
    public void Object_weights_gated_below_every_training_noise_level_learn_what_an_unweighted_run_learns()
    {
        var runs = TrainOneStep(("plain", 1, 1), ("gated", 20, 1e-9));   // no logit-normal draw comes this close to σ = 0

        Assert.Contains("\"object_weight_max_sigma\": \"1E-09\"", runs[1].Record);
        Assert.Equal(runs[0].Weights, runs[1].Weights);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void An_object_weight_max_sigma_outside_zero_to_one_is_refused_by_name(double maxSigma)
    {
        var error = Assert.Throws<ArgumentException>(() => (Options(5) with { ObjectWeightMaxSigma = maxSigma }).Validate());
        Assert.Contains("object weight max sigma", error.Message);
    }
}
