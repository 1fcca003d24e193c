using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Vae;

/// <summary>
/// Writes a randomly initialised <c>vae/</c> folder (config.json + diffusion_pytorch_model.safetensors, fp32 as the
/// real repositories ship it); whole folders come from <see cref="RandomWeights.RandomWanFolder"/>. Tensors are drawn
/// one at a time: PyTorch's default conv init U(±1/√fan_in) for weights and biases, norm gains at 1, which keeps
/// encode and decode outputs finite.
/// </summary>
public static class VaeRandomWriter
{
    /// <summary>Writes config.json and diffusion_pytorch_model.safetensors for <paramref name="config"/> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, WanVaeConfig config, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(folder);
        config.Save(Path.Combine(folder, "config.json"));
        // The key list comes from the model itself, so the file always matches what the loader expects. Built in
        // fp16 to halve the transient memory (Wan 2.2's VAE is 2.8 GB in fp32); only names and shapes are used.
        List<TensorSpec> plan;
        using (var model = new AutoencoderKLWan(config, ScalarType.Float16))
            plan = model.state_dict().Select(p => new TensorSpec(p.Key, ScalarType.Float32, p.Value.shape)).ToList();
        var index = plan.Select((p, i) => (p.Name, i)).ToDictionary(t => t.Name, t => t.i, StringComparer.Ordinal);
        SafeTensors.Save(Path.Combine(folder, "diffusion_pytorch_model.safetensors"), plan,
            item => Produce(item, seed + index[item.Name]), new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static Tensor Produce(TensorSpec item, int seed)
    {
        if (item.Name.EndsWith(".gamma", StringComparison.Ordinal)) return ones(item.Shape, dtype: item.DType);
        using var generator = new Generator((ulong)seed);
        // Weights are (out, in, k...), so fan-in is everything after dim 0; a bias shares its weight's bound, which we
        // do not know here, so biases get a small fixed bound instead.
        double bound = item.Shape.Length > 1 ? 1.0 / Math.Sqrt(item.Shape.Skip(1).Aggregate(1L, (a, b) => a * b)) : 0.05;
        return rand(item.Shape, dtype: ScalarType.Float32, generator: generator).Times(2 * bound).Plus(-bound).to(item.DType);
    }
}
