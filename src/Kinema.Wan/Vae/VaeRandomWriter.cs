using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Vae;

/// <summary>Which VAE a random Wan folder gets.</summary>
public enum WanVaeVariant
{
    /// <summary>Wan 2.1's VAE, shared by T2V-1.3B and T2V-14B.</summary>
    Wan21,

    /// <summary>Wan 2.2's VAE (TI2V-5B).</summary>
    Wan22,

    /// <summary>A toy with Wan 2.1's structure.</summary>
    Tiny21,

    /// <summary>A toy with Wan 2.2's structure.</summary>
    Tiny22,
}

/// <summary>
/// Writes a randomly initialised <c>vae/</c> folder (config.json + diffusion_pytorch_model.safetensors, fp32 as the
/// real repositories ship it). Tensors are drawn one at a time: PyTorch's default conv init U(±1/√fan_in) for weights
/// and biases, norm gains at 1, which keeps encode and decode outputs finite.
/// </summary>
public static class VaeRandomWriter
{
    public static WanVaeConfig ConfigFor(WanVaeVariant variant) => variant switch
    {
        WanVaeVariant.Wan21 => WanVaeConfig.Wan21,
        WanVaeVariant.Wan22 => WanVaeConfig.Wan22,
        WanVaeVariant.Tiny21 => WanVaeConfig.Tiny21,
        WanVaeVariant.Tiny22 => WanVaeConfig.Tiny22,
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>Writes <paramref name="modelFolder"/>/vae for <paramref name="variant"/>.</summary>
    public static void WriteFolder(string modelFolder, WanVaeVariant variant, int seed = 0) =>
        Write(Path.Combine(modelFolder, "vae"), ConfigFor(variant), seed);

    /// <summary>Writes config.json and diffusion_pytorch_model.safetensors for <paramref name="config"/> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, WanVaeConfig config, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(folder);
        config.Save(Path.Combine(folder, "config.json"));
        // The key list comes from the model itself, so the file always matches what the loader expects. Built in
        // fp16 to halve the transient memory (Wan 2.2's VAE is 2.8 GB in fp32); only names and shapes are used.
        List<TensorPlan> plan;
        using (var model = new AutoencoderKLWan(config, ScalarType.Float16))
            plan = model.state_dict().Select(p => new TensorPlan(p.Key, ScalarType.Float32, p.Value.shape)).ToList();
        var index = plan.Select((p, i) => (p.Name, i)).ToDictionary(t => t.Name, t => t.i, StringComparer.Ordinal);
        SafeTensorsStreamWriter.Write(Path.Combine(folder, "diffusion_pytorch_model.safetensors"), plan,
            item => Produce(item, seed + index[item.Name]), new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static Tensor Produce(TensorPlan item, int seed)
    {
        if (item.Name.EndsWith(".gamma", StringComparison.Ordinal)) return ones(item.Shape, dtype: item.DType);
        using var generator = new Generator((ulong)seed);
        // Weights are (out, in, k...), so fan-in is everything after dim 0; a bias shares its weight's bound, which we
        // do not know here, so biases get a small fixed bound instead.
        double bound = item.Shape.Length > 1 ? 1.0 / Math.Sqrt(item.Shape.Skip(1).Aggregate(1L, (a, b) => a * b)) : 0.05;
        return (rand(item.Shape, dtype: ScalarType.Float32, generator: generator) * (2 * bound) - bound).to(item.DType);
    }
}
