using System.Text.Json;
using Kinema.IO;
using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Text;
using Kinema.Training.Checkpoints;
using Kinema.Training.Data;
using Kinema.Weights;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema train dit --init-from MODEL`: a new run starting from a model's text encoder and transformer.</summary>
public sealed class WarmStartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-warm-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TrainingOptions Options(string name, string? initFrom = null, int steps = 2, double lr = 3e-4)
        => TinyRuns.Options(_root, name) with { Steps = steps, LearningRate = lr, InitFrom = initFrom };

    /// <summary>A VAE export and a trained-for-two-steps model folder to start from.</summary>
    private (string Vae, string Model) Source()
    {
        var tinyVae = ModelPresets.Tiny(4).Vae;
        string vaeFolder = Path.Combine(_root, "vae");
        manual_seed(0);
        using (var vae = new VideoVae(tinyVae)) VaeTrainer.Export(vae, tinyVae, vaeFolder);
        var source = Options("source") with { Seed = 7 };   // another initialisation than the runs under test
        DitTrainer.Run(source, vaeFolder, ModelPresets.Tiny(4), _ => { }, CancellationToken.None);
        string model = Path.Combine(_root, "model");
        DitTrainer.Export(source.RunFolder, vaeFolder, model, "source");
        return (vaeFolder, model);
    }

    private static float MaxDifference(string checkpointWeights, string modelFolder, string prefix, string file)
    {
        using var run = ShardedSafeTensors.Open(checkpointWeights);
        using var model = ShardedSafeTensors.Open(Path.Combine(modelFolder, file));
        float worst = 0;
        foreach (var name in model.Entries.Keys)
        {
            using var a = run.Load(prefix + name, ScalarType.Float32);
            using var b = model.Load(name, ScalarType.Float32);
            worst = Math.Max(worst, (a - b).abs().max().item<float>());
        }
        return worst;
    }

    [Fact]
    public void A_warm_started_run_begins_from_the_models_weights()
    {
        var (vae, model) = Source();
        var warm = Options("warm", initFrom: model, steps: 1, lr: 1e-12);
        var messages = new List<string>();
        DitTrainer.Run(warm, vae, ModelPresets.Tiny(4), messages.Add, CancellationToken.None);

        string weights = Path.Combine(warm.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile);
        Assert.Contains(messages, m => m.Contains("warm start"));
        Assert.True(MaxDifference(weights, model, "transformer.", KinemaModel.TransformerFile) < 1e-2f);
        Assert.True(MaxDifference(weights, model, "text_encoder.", KinemaModel.TextEncoderFile) < 1e-2f);
    }

    [Fact]
    public void A_cold_run_does_not_begin_from_the_models_weights()
    {
        var (vae, model) = Source();
        var cold = Options("cold", steps: 1, lr: 1e-12);
        DitTrainer.Run(cold, vae, ModelPresets.Tiny(4), _ => { }, CancellationToken.None);
        string weights = Path.Combine(cold.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile);
        Assert.True(MaxDifference(weights, model, "transformer.", KinemaModel.TransformerFile) > 1e-2f);
    }

    [Fact]
    public void A_fresh_text_warm_start_keeps_the_denoising_weights_and_initialises_the_text_path()
    {
        var (vae, model) = Source();
        var fresh = Options("fresh-text", initFrom: model, steps: 1, lr: 1e-12) with { FreshTextPath = true };
        var messages = new List<string>();
        DitTrainer.Run(fresh, vae, ModelPresets.Tiny(4), messages.Add, CancellationToken.None);
        var cold = Options("cold-reference", steps: 1, lr: 1e-12);   // the same seed: the initialisation fresh-text should keep
        DitTrainer.Run(cold, vae, ModelPresets.Tiny(4), _ => { }, CancellationToken.None);

        Assert.Contains(messages, m => m.Contains("text path starts fresh"));
        using var run = ShardedSafeTensors.Open(Path.Combine(fresh.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile));
        using var initial = ShardedSafeTensors.Open(Path.Combine(cold.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile));
        using var source = ShardedSafeTensors.Open(Path.Combine(model, KinemaModel.TransformerFile));
        int textTensors = 0, kept = 0;
        foreach (var name in run.Entries.Keys)
        {
            using var actual = run.Load(name, ScalarType.Float32);
            bool textPath = name.StartsWith("text_encoder.") || DitTrainer.IsTextPath(name["transformer.".Length..]);
            using var expected = textPath ? initial.Load(name, ScalarType.Float32) : source.Load(name["transformer.".Length..], ScalarType.Float32);
            Assert.True((actual - expected).abs().max().item<float>() < 1e-5f, name);
            if (textPath) textTensors++; else kept++;
        }
        Assert.True(textTensors > 0 && kept > 0);
        Assert.True(MaxDifference(Path.Combine(fresh.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile), model, "text_encoder.", KinemaModel.TextEncoderFile) > 0.1f);
    }

    [Fact]
    public void Fresh_text_without_init_from_is_refused_by_name()
    {
        var options = Options("lonely-fresh-text") with { FreshTextPath = true };
        var e = Assert.Throws<ArgumentException>(() => DitTrainer.Run(options, "unused", ModelPresets.Tiny(4), _ => { }, CancellationToken.None));
        Assert.Contains("--fresh-text", e.Message);
    }

    [Fact]
    public void A_model_with_another_vocabulary_is_rejected_by_name()
    {
        var (vae, model) = Source();
        var original = WordTokenizer.Load(Path.Combine(model, KinemaModel.TokenizerFile));
        new WordTokenizer(original.Vocabulary.Skip(5).Append("zebra"), original.MaxLength).Save(Path.Combine(model, KinemaModel.TokenizerFile));
        var warm = Options("mismatch", initFrom: model, steps: 1);
        var e = Assert.Throws<ArgumentException>(() => DitTrainer.Run(warm, vae, ModelPresets.Tiny(4), _ => { }, CancellationToken.None));
        Assert.Contains("--init-from", e.Message);
        Assert.Contains("vocabulary", e.Message);
    }

    [Fact]
    public void A_warm_start_onto_another_latent_layout_loads_the_blocks_and_starts_the_latent_layers_fresh()
    {
        var (_, model) = Source();
        var wider = ModelPresets.Tiny(4).Vae with { LatentChannels = 8 };
        string vaeFolder = Path.Combine(_root, "vae8");
        using (var vae = new VideoVae(wider)) VaeTrainer.Export(vae, wider, vaeFolder);
        var warm = Options("relayout", initFrom: model, steps: 1, lr: 1e-12);
        var messages = new List<string>();
        DitTrainer.Run(warm, vaeFolder, ModelPresets.Tiny(4), messages.Add, CancellationToken.None);

        Assert.Contains(messages, m => m.Contains("start fresh") && m.Contains("patch"));
        string weights = Path.Combine(warm.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile);
        using var run = ShardedSafeTensors.Open(weights);
        using var source = ShardedSafeTensors.Open(Path.Combine(model, KinemaModel.TransformerFile));
        int same = 0, differentShape = 0;
        foreach (var (name, entry) in source.Entries)
        {
            var target = run.Entries["transformer." + name];
            if (!target.Shape.SequenceEqual(entry.Shape)) { differentShape++; continue; }
            using var a = run.Load("transformer." + name, ScalarType.Float32);
            using var b = source.Load(name, ScalarType.Float32);
            Assert.True((a - b).abs().max().item<float>() < 1e-2f, name);
            same++;
        }
        Assert.True(differentShape > 0 && same > differentShape);
    }
}

/// <summary>`kinema train vae --init-from VAE [--inflate]`: a VAE run starting from another VAE's weights.</summary>
public sealed class VaeWarmStartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-vae-warm-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TrainingOptions Options(string name, string? initFrom, bool inflate)
        => TinyRuns.Options(_root, name) with { LearningRate = 1e-12, InitFrom = initFrom, InflateFromImages = inflate };

    private string SourceExport()
    {
        var config = ModelPresets.Tiny(4).Vae;
        string folder = Path.Combine(_root, "source");
        manual_seed(123);
        using var vae = new VideoVae(config);
        VaeTrainer.Export(vae, config, folder);
        return folder;
    }

    private static Dictionary<string, float[]> Weights(string safetensors)
    {
        using var file = ShardedSafeTensors.Open(safetensors);
        return file.Entries.Keys.ToDictionary(k => k, k => { using var t = file.Load(k, ScalarType.Float32); return t.data<float>().ToArray(); });
    }

    [Fact]
    public void A_vae_run_with_init_from_begins_from_the_source_weights()
    {
        string source = SourceExport();
        var run = Options("warm", source, inflate: false);
        VaeTrainer.Run(run, ModelPresets.Tiny(4).Vae, _ => { }, CancellationToken.None);

        var expected = Weights(Path.Combine(source, KinemaModel.VaeFile));
        var actual = Weights(Path.Combine(run.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile));
        foreach (var (key, values) in expected)
            Assert.True(values.Zip(actual[key]).All(p => Math.Abs(p.First - p.Second) < 1e-4f), key);
    }

    [Fact]
    public void A_vae_with_less_compression_in_time_starts_from_every_source_weight_but_the_dropped_time_convolutions()
    {
        string source = SourceExport();
        var source4x = ModelPresets.Tiny(4).Vae;
        var halved = source4x with { TemporalDownsample = [false, true, false] };
        var run = Options("less-time", source, inflate: false);
        var messages = new List<string>();
        VaeTrainer.Run(run, halved, messages.Add, CancellationToken.None);

        Assert.Contains(messages, m => m.Contains("time compressed 2x in place of 4x"));
        var expected = Weights(Path.Combine(source, KinemaModel.VaeFile));
        var actual = Weights(Path.Combine(run.RunFolder, "checkpoints", "step-0000001", CheckpointStore.WeightsFile));
        Assert.True(actual.Count < expected.Count, "the dropped stage's time convolutions are not in the new VAE");
        foreach (var (key, values) in actual)
            Assert.True(values.Zip(expected[key]).All(p => Math.Abs(p.First - p.Second) < 1e-4f), key);
    }

    [Fact]
    public void A_vae_with_more_compression_in_time_is_refused_since_its_time_convolutions_would_start_from_nothing()
    {
        string source = SourceExport();
        var more = ModelPresets.Tiny(4).Vae with { TemporalDownsample = [true, true, true] };
        var error = Assert.Throws<ArgumentException>(() => VaeTrainer.Run(Options("more-time", source, inflate: false), more, _ => { }, CancellationToken.None));
        Assert.Contains("its VAE shape differs from this run's preset", error.Message);
    }

    [Fact]
    public void Decoder_only_training_changes_the_decoder_and_keeps_the_encoder_and_latent_statistics()
    {
        var shape = ModelPresets.Tiny(4).Vae;
        var config = shape with
        {
            LatentsMean = Enumerable.Range(0, shape.LatentChannels).Select(c => 0.25f * c).ToArray(),
            LatentsStd = Enumerable.Range(0, shape.LatentChannels).Select(c => 1.5f + c).ToArray(),
        };
        string source = Path.Combine(_root, "source-with-statistics");
        manual_seed(7);
        using (var vae = new VideoVae(config)) VaeTrainer.Export(vae, config, source);
        var run = TinyRuns.Options(_root, "decoder") with { Steps = 2, LearningRate = 1e-2, InitFrom = source, DecoderOnly = true };

        VaeTrainer.Run(run, shape, _ => { }, CancellationToken.None);

        var before = Weights(Path.Combine(source, KinemaModel.VaeFile));
        var after = Weights(Path.Combine(run.RunFolder, "export", KinemaModel.VaeFile));
        Assert.All(before.Keys.Where(k => k.StartsWith("encoder.")), key => Assert.Equal(before[key], after[key]));
        Assert.Contains(before.Keys.Where(k => k.StartsWith("decoder.")), key => !before[key].SequenceEqual(after[key]));
        var exported = JsonSerializer.Deserialize<VideoVaeConfig>(File.ReadAllText(Path.Combine(run.RunFolder, "export", VaeTrainer.ConfigFile)), Json.Options)!;
        Assert.Equal(config.LatentsMean, exported.LatentsMean);
        Assert.Equal(config.LatentsStd, exported.LatentsStd);
    }

    [Fact]
    public void Decoder_only_without_init_from_is_refused_by_name()
    {
        var run = TinyRuns.Options(_root, "no-source") with { DecoderOnly = true };
        var error = Assert.Throws<ArgumentException>(() => VaeTrainer.Run(run, ModelPresets.Tiny(4).Vae, _ => { }, CancellationToken.None));
        Assert.Contains("--decoder-only needs --init-from", error.Message);
    }

    [Fact]
    public void Inflate_without_init_from_is_refused_by_name()
    {
        var run = Options("lonely", initFrom: null, inflate: true);
        var error = Assert.Throws<ArgumentException>(() => VaeTrainer.Run(run, ModelPresets.Tiny(4).Vae, _ => { }, CancellationToken.None));
        Assert.Contains("--init-from", error.Message);
    }
}
