using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.TextEncoder;

/// <summary>
/// Writes a randomly initialised <c>text_encoder/</c> folder in the exact layout of a diffusers Wan repository
/// (config.json, <c>model-0000k-of-0000n.safetensors</c> shards in bf16, <c>model.safetensors.index.json</c>); whole
/// folders come from <see cref="RandomWeights.RandomWanFolder"/>. Tensors are generated and written one at a time, so
/// umT5-XXL (11 GB in bf16) never sits in memory. The initialisation is transformers' umT5 init (normal, std by fan-in; norms at 1), which keeps activations finite.
/// </summary>
public static class TextEncoderRandomWriter
{
    /// <summary>Shard size: umT5-XXL (11.4 GB) comes out as 5 shards, like the real repositories.</summary>
    public const long DefaultMaxShardBytes = 2_500_000_000;

    /// <summary>Writes config.json and the (sharded) weights of a random umT5 encoder into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> WriteEncoder(string folder, UMT5Config config, int seed = 0, ScalarType dtype = ScalarType.BFloat16,
        long maxShardBytes = DefaultMaxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Directory.CreateDirectory(folder);
        config.Save(Path.Combine(folder, "config.json"), dtype == ScalarType.BFloat16 ? "bfloat16" : dtype == ScalarType.Float16 ? "float16" : "float32");
        var plan = Plan(config).Select(p => new TensorSpec(p.Name, dtype, p.Shape)).ToList();
        var index = plan.Select((p, i) => (p.Name, i)).ToDictionary(t => t.Name, t => t.i, StringComparer.Ordinal);
        return SafeTensors.SaveSharded(folder, "model", plan, item => Produce(item, config, seed + index[item.Name]), maxShardBytes);
    }

    /// <summary>Every tensor of a transformers UMT5EncoderModel checkpoint, in its state_dict order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Plan(UMT5Config c)
    {
        var plan = new List<(string, long[])> { (UMT5Weights.EmbeddingKey, new long[] { c.VocabSize, c.DModel }) };
        for (int i = 0; i < c.NumLayers; i++)
        {
            string p = $"encoder.block.{i}.layer.";
            plan.Add(($"{p}0.SelfAttention.q.weight", new long[] { c.InnerDim, c.DModel }));
            plan.Add(($"{p}0.SelfAttention.k.weight", new long[] { c.InnerDim, c.DModel }));
            plan.Add(($"{p}0.SelfAttention.v.weight", new long[] { c.InnerDim, c.DModel }));
            plan.Add(($"{p}0.SelfAttention.o.weight", new long[] { c.DModel, c.InnerDim }));
            plan.Add(($"{p}0.SelfAttention.relative_attention_bias.weight", new long[] { c.RelativeAttentionNumBuckets, c.NumHeads }));
            plan.Add(($"{p}0.layer_norm.weight", new long[] { c.DModel }));
            plan.Add(($"{p}1.DenseReluDense.wi_0.weight", new long[] { c.DFf, c.DModel }));
            plan.Add(($"{p}1.DenseReluDense.wi_1.weight", new long[] { c.DFf, c.DModel }));
            plan.Add(($"{p}1.DenseReluDense.wo.weight", new long[] { c.DModel, c.DFf }));
            plan.Add(($"{p}1.layer_norm.weight", new long[] { c.DModel }));
        }
        plan.Add(("encoder.final_layer_norm.weight", new long[] { c.DModel }));
        return plan;
    }

    private static Tensor Produce(TensorSpec item, UMT5Config c, int seed)
    {
        string name = item.Name;
        if (name.EndsWith("layer_norm.weight", StringComparison.Ordinal)) return ones(item.Shape, dtype: item.DType);
        // transformers' UMT5PreTrainedModel._init_weights (initializer_factor 1).
        double std = name switch
        {
            UMT5Weights.EmbeddingKey => 1.0,
            _ when name.EndsWith(".q.weight", StringComparison.Ordinal) => Math.Pow((double)c.DModel * c.DKv, -0.5),
            _ when name.EndsWith(".k.weight", StringComparison.Ordinal) || name.EndsWith(".v.weight", StringComparison.Ordinal) => Math.Pow(c.DModel, -0.5),
            _ when name.EndsWith(".o.weight", StringComparison.Ordinal) => Math.Pow(c.InnerDim, -0.5),
            _ when name.EndsWith("relative_attention_bias.weight", StringComparison.Ordinal) => Math.Pow(c.DModel, -0.5),
            _ when name.EndsWith(".wo.weight", StringComparison.Ordinal) => Math.Pow(c.DFf, -0.5),
            _ => Math.Pow(c.DModel, -0.5), // wi_0, wi_1
        };
        var generator = new Generator((ulong)seed);
        try
        {
            // Drawn in fp32 then cast, as torch does when initialising a bf16 model.
            return randn(item.Shape, dtype: ScalarType.Float32, generator: generator).Times(std).to(item.DType);
        }
        finally
        {
            generator.Dispose();
        }
    }
}
