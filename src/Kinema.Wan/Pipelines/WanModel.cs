using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.Schedulers;
using Kinema.Wan.TextEncoder;
using Kinema.Wan.Transformer;
using Kinema.Wan.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Pipelines;

/// <summary>
/// A Wan folder opened for generation: its configs read and checked against each other, the device chosen, the
/// defaults decided. No weights are held: a generation loads the text encoder, frees it, loads the transformer,
/// frees it, then the VAE, so peak memory is the largest component (plus activations), not the sum. On a 1.3B
/// folder that is the 11 GB bf16 (22 GB fp32) umT5 encoder.
/// </summary>
public sealed class WanModel
{
    private WanModel(WanModelFolder folder, WanTransformerConfig transformer, WanVaeConfig vae, UniPCSchedulerConfig scheduler,
        Device device, ScalarType computeType, WanLoadOptions options)
    {
        Folder = folder;
        TransformerConfig = transformer;
        VaeConfig = vae;
        SchedulerConfig = scheduler;
        Device = device;
        ComputeType = computeType;
        Options = options;
        TextEncoderType = options.TextEncoderType ?? TextEncoderTypeThatFits(folder, device, computeType);
        Defaults = IsWan22 ? WanDefaults.Wan22(scheduler.FlowShift) : WanDefaults.Wan21(scheduler.FlowShift);
    }

    public WanModelFolder Folder { get; }
    public WanTransformerConfig TransformerConfig { get; }
    public WanVaeConfig VaeConfig { get; }
    public UniPCSchedulerConfig SchedulerConfig { get; }
    public Device Device { get; }

    /// <summary>Dtype of the transformer and text encoder (the VAE runs in Float32).</summary>
    public ScalarType ComputeType { get; }

    public WanLoadOptions Options { get; }
    public WanDefaults Defaults { get; }

    /// <summary>
    /// Dtype the umT5 encoder loads in: <see cref="WanLoadOptions.TextEncoderType"/> if given, else
    /// <see cref="ComputeType"/>, except on a CPU whose available memory would not hold the encoder in Float32
    /// (umT5-XXL: 22 GB), where it is BFloat16 — the dtype Wan's own code runs T5 in.
    /// </summary>
    public ScalarType TextEncoderType { get; }

    private static ScalarType TextEncoderTypeThatFits(WanModelFolder folder, Device device, ScalarType computeType)
    {
        if (device.type != DeviceType.CPU || computeType != ScalarType.Float32) return computeType;
        // Checkpoints ship in 16-bit (or 32-bit) floats, so twice the on-disk size bounds the Float32 footprint.
        long onDisk = Directory.EnumerateFiles(folder.ComponentPath(WanModelIndex.TextEncoder), "*.safetensors").Sum(f => new FileInfo(f).Length);
        long? available = AvailableMemoryBytes();
        return available is long bytes && 2 * onDisk > bytes * 0.8 ? ScalarType.BFloat16 : computeType;
    }

    private static long? AvailableMemoryBytes()
    {
        const string meminfo = "/proc/meminfo";
        if (!File.Exists(meminfo)) return null;
        foreach (var line in File.ReadLines(meminfo))
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kib))
                return kib * 1024;
        return null;
    }

    /// <summary>The folder's name (e.g. Wan2.1-T2V-1.3B-Diffusers), used in metadata and provenance.</summary>
    public string Name => Path.GetFileName(Folder.Root.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>Wan 2.2 TI2V: timesteps per token (the first latent frame can be a clean image).</summary>
    public bool ExpandTimesteps => Folder.Index.ExpandTimesteps;

    /// <summary>A Wan 2.2 VAE (48 channels, 16× spatial) — defaults follow TI2V-5B.</summary>
    public bool IsWan22 => VaeConfig.PatchSize is > 1 || ExpandTimesteps;

    /// <summary>Width and height must be multiples of this: VAE compression × transformer patch (16 for 2.1, 32 for 2.2).</summary>
    public int SizeMultiple => VaeConfig.SpatialCompression * TransformerConfig.PatchSize[1];

    /// <summary>Frame counts are 1 + this × k (the VAE's temporal compression: 4).</summary>
    public int FrameStride => VaeConfig.TemporalCompression;

    /// <summary>True when <paramref name="folder"/> holds a diffusers <c>model_index.json</c> naming <c>WanPipeline</c> (cheap: reads one small file).</summary>
    public static bool IsWanFolder(string folder)
    {
        string index = Path.Combine(folder, "model_index.json");
        if (!File.Exists(index)) return false;
        try
        {
            return WanModelIndex.Load(index).PipelineClass is "WanPipeline" or "WanImageToVideoPipeline";
        }
        catch (WanCheckpointException)
        {
            return false;
        }
    }

    /// <summary>
    /// Opens <paramref name="folder"/>: reads model_index.json and every component config, checks they fit together and
    /// that the text encoder, tokenizer and VAE folders exist. Throws <see cref="WanCheckpointException"/> naming the problem.
    /// </summary>
    public static WanModel Open(string folder, WanLoadOptions? options = null)
    {
        options ??= new WanLoadOptions();
        var device = TorchRuntime.ResolveDevice(options.Device);
        var computeType = options.ComputeType ?? (device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32);
        var wan = WanModelFolder.Open(folder);
        if (wan.Index.PipelineClass != "WanPipeline")
            throw new WanCheckpointException("model_index", Path.Combine(wan.Root, "model_index.json"),
                $"pipeline '{wan.Index.PipelineClass}' is not supported; this port runs text-to-video 'WanPipeline' folders");
        if (wan.Index.BoundaryRatio is not null)
            throw new WanCheckpointException("model_index", Path.Combine(wan.Root, "model_index.json"),
                "boundary_ratio is set (a Wan 2.2 A14B two-expert folder); only single-transformer folders are supported");
        foreach (string component in new[] { WanModelIndex.TextEncoder, WanModelIndex.Tokenizer, WanModelIndex.Vae, WanModelIndex.Scheduler })
            wan.ComponentPath(component); // throws naming a missing component before any weights are read

        var transformer = wan.LoadTransformerConfig();
        var scheduler = wan.LoadSchedulerConfig();
        var vae = LoadConfig(wan, WanModelIndex.Vae, WanVaeConfig.Load);
        var text = LoadConfig(wan, WanModelIndex.TextEncoder, UMT5Config.Load);
        if (text.DModel != transformer.TextDim)
            throw new WanCheckpointException(WanModelIndex.TextEncoder, wan.ComponentPath(WanModelIndex.TextEncoder),
                $"the text encoder's d_model {text.DModel} does not match the transformer's text_dim {transformer.TextDim}");
        if (vae.ZDim != transformer.InChannels || vae.ZDim != transformer.ResolvedOutChannels)
            throw new WanCheckpointException(WanModelIndex.Vae, wan.ComponentPath(WanModelIndex.Vae),
                $"the VAE's z_dim {vae.ZDim} does not match the transformer's in/out channels {transformer.InChannels}/{transformer.ResolvedOutChannels}");
        return new WanModel(wan, transformer, vae, scheduler, device, computeType, options);
    }

    private static T LoadConfig<T>(WanModelFolder folder, string component, Func<string, T> load)
    {
        string path = Path.Combine(folder.ComponentPath(component), "config.json");
        try
        {
            return load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or NotSupportedException or System.Text.Json.JsonException)
        {
            throw new WanCheckpointException(component, path, e.Message, e);
        }
    }
}
