using System.Text.Json;
using System.Text.Json.Nodes;
using Kinema.IO;
using Kinema.Wan.Loading;
using Kinema.Wan.Schedulers;
using Kinema.Wan.Transformer;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.RandomWeights;

/// <summary>The Wan releases a random folder can imitate.</summary>
public enum WanVariant
{
    /// <summary>Wan 2.1 T2V-1.3B.</summary>
    T2V1_3B,
    /// <summary>Wan 2.1 T2V-14B.</summary>
    T2V14B,
    /// <summary>Wan 2.2 TI2V-5B (48 latent channels, per-token timesteps).</summary>
    TI2V5B,
    /// <summary>A two-layer model for tests; not a release.</summary>
    Tiny,
}

/// <summary>
/// Writes random-weight Wan folders in the diffusers layout with the real configs, key names, shapes and
/// (bf16) dtypes: <c>model_index.json</c>, <c>scheduler/scheduler_config.json</c> and <c>transformer/</c>
/// (config.json + sharded safetensors + index). The VAE, text encoder and tokenizer folders are not written.
/// Tensors are generated and written one at a time, so even the 14B transformer never needs more memory than
/// its largest tensor. Weights are N(0, 0.02²), biases 0 and norm gains 1, so a forward pass stays finite.
/// </summary>
public static class RandomWanFolder
{
    /// <summary>diffusers' default <c>max_shard_size</c> when the Wan folders were converted.</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    public static WanTransformerConfig TransformerConfig(WanVariant variant) => variant switch
    {
        WanVariant.T2V1_3B => WanTransformerConfig.T2V1_3B,
        WanVariant.T2V14B => WanTransformerConfig.T2V14B,
        WanVariant.TI2V5B => WanTransformerConfig.TI2V5B,
        WanVariant.Tiny => WanTransformerConfig.Tiny,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
    };

    public static UniPCSchedulerConfig SchedulerConfig(WanVariant variant) =>
        variant == WanVariant.TI2V5B ? UniPCSchedulerConfig.Wan22TI2V : UniPCSchedulerConfig.Wan21;

    /// <summary>Writes model_index.json, the scheduler and a random transformer for <paramref name="variant"/> into <paramref name="root"/>.</summary>
    public static void Write(string root, WanVariant variant, long maxShardBytes = DefaultMaxShardBytes, int seed = 0, ScalarType dtype = ScalarType.BFloat16)
    {
        WriteModelIndex(root, variant);
        WriteScheduler(Path.Combine(root, WanModelIndex.Scheduler), SchedulerConfig(variant));
        WriteTransformer(Path.Combine(root, WanModelIndex.Transformer), TransformerConfig(variant), maxShardBytes, seed, dtype);
    }

    /// <summary>model_index.json as the diffusers Wan repositories ship it (TI2V adds expand_timesteps and an empty transformer_2).</summary>
    public static void WriteModelIndex(string root, WanVariant variant)
    {
        var index = new JsonObject
        {
            ["_class_name"] = "WanPipeline",
            ["_diffusers_version"] = "0.35.0",
        };
        if (variant == WanVariant.TI2V5B)
        {
            index["boundary_ratio"] = null;
            index["expand_timesteps"] = true;
        }
        index["scheduler"] = new JsonArray("diffusers", "UniPCMultistepScheduler");
        index["text_encoder"] = new JsonArray("transformers", "UMT5EncoderModel");
        index["tokenizer"] = new JsonArray("transformers", "T5TokenizerFast");
        index["transformer"] = new JsonArray("diffusers", "WanTransformer3DModel");
        if (variant == WanVariant.TI2V5B) index["transformer_2"] = new JsonArray(null, null);
        index["vae"] = new JsonArray("diffusers", "AutoencoderKLWan");
        AtomicFile.WriteAllText(Path.Combine(root, "model_index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static void WriteScheduler(string folder, UniPCSchedulerConfig config) =>
        AtomicFile.WriteAllText(Path.Combine(folder, "scheduler_config.json"), config.ToJson());

    /// <summary>
    /// Writes <c>config.json</c>, <c>diffusion_pytorch_model-0000i-of-0000n.safetensors</c> shards of at most
    /// <paramref name="maxShardBytes"/> (greedy in state-dict order, as diffusers shards) and
    /// <c>diffusion_pytorch_model.safetensors.index.json</c>. A single shard is written without an index, as
    /// diffusers does (<c>diffusion_pytorch_model.safetensors</c>).
    /// </summary>
    public static void WriteTransformer(string folder, WanTransformerConfig config, long maxShardBytes = DefaultMaxShardBytes, int seed = 0, ScalarType dtype = ScalarType.BFloat16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson());

        var shards = PlanShards(config, dtype, maxShardBytes);
        var layout = shards.SelectMany(shard => shard).ToList();
        long elementSize = ElementSize(dtype);

        var specs = layout.ToDictionary(spec => spec.Name, StringComparer.Ordinal);
        var seeds = layout.Select((spec, i) => (spec.Name, Seed: seed * 1_000_003L + i)).ToDictionary(x => x.Name, x => x.Seed, StringComparer.Ordinal);
        Tensor Produce(string name) => RandomValue(specs[name], seeds[name], dtype);

        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        if (shards.Count == 1)
        {
            SafeTensors.Save(Path.Combine(folder, "diffusion_pytorch_model.safetensors"), shards[0], Produce, metadata);
            return;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int s = 0; s < shards.Count; s++)
        {
            string file = $"diffusion_pytorch_model-{s + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafeTensors.Save(Path.Combine(folder, file), shards[s], Produce, metadata);
            foreach (var spec in shards[s]) weightMap[spec.Name] = file;
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = layout.Sum(s => s.ElementCount * elementSize) },
            ["weight_map"] = new JsonObject(weightMap.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value))),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, "diffusion_pytorch_model.safetensors.index.json"),
            index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Splits the transformer's tensors, in state-dict order, into shards of at most <paramref name="maxShardBytes"/>
    /// (a tensor larger than the limit gets a shard of its own), greedily as diffusers' <c>save_pretrained</c> does.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TensorSpec>> PlanShards(WanTransformerConfig config, ScalarType dtype, long maxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        long elementSize = ElementSize(dtype);
        var shards = new List<List<TensorSpec>> { new() };
        long current = 0;
        foreach (var (key, shape) in WanTransformerLayout.Tensors(config))
        {
            var spec = new TensorSpec(key, dtype, shape);
            long bytes = spec.ElementCount * elementSize;
            if (current > 0 && current + bytes > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(spec);
            current += bytes;
        }
        return shards;
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 4,
        ScalarType.BFloat16 or ScalarType.Float16 => 2,
        _ => throw new ArgumentException($"random checkpoints are written as Float32, BFloat16 or Float16, not {dtype}", nameof(dtype)),
    };

    /// <summary>
    /// Biases 0, norm gains 1, everything else (weights, modulation tables) N(0, 0.02²) from its own seeded generator.
    /// Called inside the writer's per-tensor dispose scope, which frees the temporaries.
    /// </summary>
    private static Tensor RandomValue(TensorSpec spec, long seed, ScalarType dtype)
    {
        string name = spec.Name;
        if (name.EndsWith(".bias", StringComparison.Ordinal)) return zeros(spec.Shape, dtype: dtype);
        if (name.EndsWith("norm_q.weight", StringComparison.Ordinal) || name.EndsWith("norm_k.weight", StringComparison.Ordinal)
            || name.EndsWith("norm2.weight", StringComparison.Ordinal))
            return ones(spec.Shape, dtype: dtype);
        using var generator = new Generator((ulong)seed);
        return (randn(spec.Shape, dtype: ScalarType.Float32, generator: generator) * 0.02).to(dtype);
    }
}
