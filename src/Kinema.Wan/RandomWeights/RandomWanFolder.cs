using Kinema.Runtime;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kinema.IO;
using Kinema.Wan.Loading;
using Kinema.Wan.Schedulers;
using Kinema.Wan.TextEncoder;
using Kinema.Wan.Tokenizer;
using Kinema.Wan.Transformer;
using Kinema.Wan.Vae;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.RandomWeights;

/// <summary>
/// Writes random-weight Wan folders in the diffusers layout with the real configs, key names, shapes and dtypes:
/// <c>model_index.json</c>, <c>scheduler/</c>, <c>transformer/</c> (bf16, 5 GB shards + index), <c>text_encoder/</c>
/// (umT5, bf16 shards + index), <c>tokenizer/</c> (a synthetic tokenizer.json in umT5's schema) and <c>vae/</c>
/// (fp32, one file). Tensors are generated and written one at a time, so even the 14B transformer and the 11 GB
/// text encoder never need more memory than their largest tensor. The weights mean nothing: the folders exist to
/// exercise loading, memory and speed without downloading a release.
/// </summary>
public static class RandomWanFolder
{
    /// <summary>diffusers' default <c>max_shard_size</c> when the Wan folders were converted.</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Writes every component of <paramref name="variant"/> into <paramref name="root"/>.</summary>
    /// <param name="maxShardBytes">Shard limit for the transformer and the text encoder (default: each one's usual size).</param>
    public static void Write(string root, WanVariant variant, long? maxShardBytes = null, int seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var configs = WanVariants.Configs(variant);
        Directory.CreateDirectory(root);
        WriteModelIndex(root, variant);
        WriteScheduler(Path.Combine(root, WanModelIndex.Scheduler), configs.Scheduler);
        WriteTransformer(Path.Combine(root, WanModelIndex.Transformer), configs.Transformer, maxShardBytes ?? DefaultMaxShardBytes, seed);
        // The toy encoder is sharded too (small shards), so loaders are exercised on an index.
        long textShard = maxShardBytes ?? (variant is WanVariant.Tiny or WanVariant.TinyTI2V ? 64 * 1024 : TextEncoderRandomWriter.DefaultMaxShardBytes);
        TextEncoderRandomWriter.WriteEncoder(Path.Combine(root, WanModelIndex.TextEncoder), configs.TextEncoder, seed, ScalarType.BFloat16, textShard);
        TokenizerJsonWriter.Write(Path.Combine(root, WanModelIndex.Tokenizer), configs.TokenizerVocabSize, seed);
        VaeRandomWriter.Write(Path.Combine(root, WanModelIndex.Vae), configs.Vae, seed);
    }

    /// <summary>model_index.json as the diffusers Wan repositories ship it (TI2V adds expand_timesteps and an empty transformer_2).</summary>
    public static void WriteModelIndex(string root, WanVariant variant)
    {
        var index = new JsonObject
        {
            ["_class_name"] = "WanPipeline",
            ["_diffusers_version"] = "0.35.0",
        };
        if (WanVariants.Configs(variant).ExpandTimesteps)
        {
            index["boundary_ratio"] = null;
            index["expand_timesteps"] = true;
        }
        index["scheduler"] = new JsonArray("diffusers", "UniPCMultistepScheduler");
        index["text_encoder"] = new JsonArray("transformers", "UMT5EncoderModel");
        index["tokenizer"] = new JsonArray("transformers", "T5TokenizerFast");
        index["transformer"] = new JsonArray("diffusers", "WanTransformer3DModel");
        if (variant is WanVariant.TI2V5B or WanVariant.TinyTI2V) index["transformer_2"] = new JsonArray(null, null);
        index["vae"] = new JsonArray("diffusers", "AutoencoderKLWan");
        AtomicFile.WriteAllText(Path.Combine(root, "model_index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static void WriteScheduler(string folder, UniPCSchedulerConfig config) =>
        AtomicFile.WriteAllText(Path.Combine(folder, "scheduler_config.json"), config.ToJson());

    /// <summary>
    /// Writes <c>config.json</c> and the weights as <c>diffusion_pytorch_model-0000i-of-0000n.safetensors</c> shards of at
    /// most <paramref name="maxShardBytes"/> plus <c>diffusion_pytorch_model.safetensors.index.json</c>, or a single
    /// <c>diffusion_pytorch_model.safetensors</c> without an index when everything fits, as diffusers does.
    /// Weights N(0, 0.02²), biases 0, norm gains 1, so a forward pass stays finite.
    /// </summary>
    public static void WriteTransformer(string folder, WanTransformerConfig config, long maxShardBytes = DefaultMaxShardBytes, int seed = 0, ScalarType dtype = ScalarType.BFloat16)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"random checkpoints are written as Float32, BFloat16 or Float16, not {dtype}", nameof(dtype));
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson());
        var layout = Layout(config, dtype);
        var seeds = layout.Select((spec, i) => (spec.Name, Seed: seed * 1_000_003L + i)).ToDictionary(x => x.Name, x => x.Seed, StringComparer.Ordinal);
        SafeTensors.SaveSharded(folder, "diffusion_pytorch_model", layout, spec => RandomValue(spec, seeds[spec.Name]), maxShardBytes);
    }

    /// <summary>The transformer's shards as <see cref="WriteTransformer"/> writes them (state-dict order, greedy).</summary>
    public static IReadOnlyList<IReadOnlyList<TensorSpec>> PlanShards(WanTransformerConfig config, ScalarType dtype, long maxShardBytes) =>
        SafeTensors.PlanShards(Layout(config, dtype), maxShardBytes);

    private static List<TensorSpec> Layout(WanTransformerConfig config, ScalarType dtype) =>
        WanTransformerLayout.Tensors(config).Select(t => new TensorSpec(t.Key, dtype, t.Shape)).ToList();

    /// <summary>
    /// Biases 0, norm gains 1, everything else (weights, modulation tables) N(0, 0.02²) from its own seeded generator.
    /// Called inside the writer's per-tensor dispose scope, which frees the temporaries.
    /// </summary>
    private static Tensor RandomValue(TensorSpec spec, long seed)
    {
        string name = spec.Name;
        if (name.EndsWith(".bias", StringComparison.Ordinal)) return zeros(spec.Shape, dtype: spec.DType);
        if (name.EndsWith("norm_q.weight", StringComparison.Ordinal) || name.EndsWith("norm_k.weight", StringComparison.Ordinal)
            || name.EndsWith("norm2.weight", StringComparison.Ordinal))
            return ones(spec.Shape, dtype: spec.DType);
        using var generator = new Generator((ulong)seed);
        return randn(spec.Shape, dtype: ScalarType.Float32, generator: generator).Times(0.02).to(spec.DType);
    }
}
