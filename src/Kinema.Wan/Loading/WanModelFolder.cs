using Kinema.Wan.Schedulers;
using Kinema.Wan.TextEncoder;
using Kinema.Wan.Tokenizer;
using Kinema.Wan.Transformer;
using Kinema.Wan.Vae;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Loading;

/// <summary>
/// A Wan model in the diffusers folder layout (<c>model_index.json</c> + one subfolder per component).
/// Opening it reads only <c>model_index.json</c> and notes which listed components have a folder; each
/// component is then loaded on demand into a new object the caller owns and disposes, so a pipeline can
/// load the text encoder, encode, dispose it, and only then load the transformer. Nothing heavy is held here.
/// </summary>
public sealed class WanModelFolder
{
    private WanModelFolder(string root, WanModelIndex index, IReadOnlyList<string> missing)
    {
        Root = root;
        Index = index;
        MissingComponents = missing;
    }

    /// <summary>The folder holding <c>model_index.json</c>.</summary>
    public string Root { get; }

    public WanModelIndex Index { get; }

    /// <summary>Components listed in <c>model_index.json</c> whose subfolder does not exist.</summary>
    public IReadOnlyList<string> MissingComponents { get; }

    /// <summary>Reads <c>model_index.json</c> in <paramref name="root"/>; throws <see cref="WanCheckpointException"/> if it is absent or malformed.</summary>
    public static WanModelFolder Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        string full = System.IO.Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new WanCheckpointException("model_index", full, "model folder does not exist");
        var index = WanModelIndex.Load(System.IO.Path.Combine(full, "model_index.json"));
        var missing = index.Components.Keys.Where(name => !Directory.Exists(System.IO.Path.Combine(full, name))).Order(StringComparer.Ordinal).ToList();
        return new WanModelFolder(full, index, missing);
    }

    /// <summary>True when <paramref name="component"/> is listed and its folder exists.</summary>
    public bool Has(string component) => Index.Components.ContainsKey(component) && !MissingComponents.Contains(component);

    /// <summary>The folder of <paramref name="component"/>; throws naming it when it is not listed or not present.</summary>
    public string ComponentPath(string component)
    {
        string path = System.IO.Path.Combine(Root, component);
        if (!Index.Components.ContainsKey(component))
            throw new WanCheckpointException(component, System.IO.Path.Combine(Root, "model_index.json"),
                $"model_index.json does not list '{component}' (it lists: {string.Join(", ", Index.Components.Keys.Order(StringComparer.Ordinal))})");
        if (!Directory.Exists(path)) throw new WanCheckpointException(component, path, "folder is listed in model_index.json but does not exist");
        return path;
    }

    /// <summary>Reads <c>transformer/config.json</c>.</summary>
    public WanTransformerConfig LoadTransformerConfig()
    {
        string path = System.IO.Path.Combine(ComponentPath(WanModelIndex.Transformer), "config.json");
        try
        {
            return WanTransformerConfig.Load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or NotSupportedException)
        {
            throw new WanCheckpointException(WanModelIndex.Transformer, path, e.Message, e);
        }
    }

    /// <summary>
    /// Builds the transformer from its config in <paramref name="dtype"/> on <paramref name="device"/> and loads its
    /// (possibly sharded) safetensors strictly: every model key must be in the checkpoint with the right shape and
    /// no extra key may be there. Stored F32/F16/BF16 values are converted on the fly; the parts diffusers keeps in
    /// fp32 stay fp32. The caller owns (and disposes) the module.
    /// </summary>
    /// <param name="blockOffload">
    /// CPU only: keep the blocks' matmul weights in BFloat16 and convert each block to <paramref name="dtype"/> only while
    /// it runs (<see cref="WanTransformer3D.EnableBlockOffload"/>). Exact for BFloat16 checkpoints, which the released
    /// Wan folders are.
    /// </param>
    public WanTransformer3D LoadTransformer(ScalarType dtype = ScalarType.Float32, Device? device = null, bool blockOffload = false)
    {
        var config = LoadTransformerConfig();
        if (blockOffload && device is not null && device.type != DeviceType.CPU)
            throw new NotSupportedException($"block offload runs on the CPU only; on {device} load the transformer whole");
        var model = new WanTransformer3D(config, blockOffload ? ScalarType.BFloat16 : dtype, device);
        try
        {
            LoadWeights(WanModelIndex.Transformer, model);
            model.eval();
            if (blockOffload) model.EnableBlockOffload(dtype);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads <c>tokenizer/tokenizer.json</c> and the umT5 encoder of <c>text_encoder/</c> (config.json + file or index)
    /// strictly, in <paramref name="dtype"/> on <paramref name="device"/>. The caller owns (and disposes) the result.
    /// </summary>
    public WanTextEncoder LoadTextEncoder(ScalarType dtype = ScalarType.BFloat16, Device? device = null)
    {
        var tokenizer = Load(WanModelIndex.Tokenizer, folder => UmT5Tokenizer.Load(folder));
        var encoder = Load(WanModelIndex.TextEncoder, folder => WanTextEncoder.LoadEncoder(folder, dtype, device));
        try
        {
            return new WanTextEncoder(tokenizer, encoder);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Loads <c>vae/</c> (config.json + weights) strictly; Wan runs its VAE in fp32. The caller owns the result.</summary>
    public AutoencoderKLWan LoadVae(ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Load(WanModelIndex.Vae, folder => AutoencoderKLWan.Load(folder, dtype, device));

    // Runs a component loader, wrapping what it throws so the message names the component and the file.
    private T Load<T>(string component, Func<string, T> load)
    {
        string folder = ComponentPath(component);
        try
        {
            return load(folder);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or NotSupportedException
            or SafeTensorsFormatException or WeightMismatchException or TokenizerFormatException or IOException or ArgumentException)
        {
            string path = e is FileNotFoundException { FileName: { } file } ? file : folder;
            throw new WanCheckpointException(component, path, e.Message, e);
        }
    }

    /// <summary>Reads <c>scheduler/scheduler_config.json</c>.</summary>
    public UniPCSchedulerConfig LoadSchedulerConfig()
    {
        string path = System.IO.Path.Combine(ComponentPath(WanModelIndex.Scheduler), "scheduler_config.json");
        try
        {
            return UniPCSchedulerConfig.Load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or NotSupportedException)
        {
            throw new WanCheckpointException(WanModelIndex.Scheduler, path, e.Message, e);
        }
    }

    /// <summary>A fresh UniPC scheduler configured from the folder.</summary>
    public UniPCMultistepScheduler CreateScheduler() => new(LoadSchedulerConfig());

    /// <summary>
    /// Opens the safetensors of <paramref name="component"/>: its <c>*.safetensors.index.json</c> (with every shard
    /// validated) or its single <c>*.safetensors</c>. Dispose the result once loaded. For the other components' loaders.
    /// </summary>
    public ShardedSafeTensors OpenWeights(string component)
    {
        string folder = ComponentPath(component);
        string[] indexes = Directory.GetFiles(folder, "*.safetensors.index.json");
        string[] files = Directory.GetFiles(folder, "*.safetensors");
        string path = indexes.Length switch
        {
            1 => indexes[0],
            > 1 => throw new WanCheckpointException(component, folder, $"{indexes.Length} safetensors indexes found ({string.Join(", ", indexes.Select(System.IO.Path.GetFileName))}); expected one"),
            _ => files.Length == 1
                ? files[0]
                : throw new WanCheckpointException(component, folder, files.Length == 0
                    ? "no .safetensors file or .safetensors.index.json found"
                    : $"{files.Length} .safetensors files and no index found; expected one file or an index"),
        };
        try
        {
            return ShardedSafeTensors.Open(path);
        }
        catch (Exception e) when (e is SafeTensorsFormatException or FileNotFoundException or IOException)
        {
            throw new WanCheckpointException(component, path, e.Message, e);
        }
    }

    /// <summary>Strictly loads <paramref name="component"/>'s weights into <paramref name="module"/> (see <see cref="StateDictLoader"/>).</summary>
    public void LoadWeights(string component, nn.Module module)
    {
        using var weights = OpenWeights(component);
        try
        {
            StateDictLoader.Load(module, weights, component);
        }
        catch (WeightMismatchException e)
        {
            throw new WanCheckpointException(component, weights.Path, e.Message, e);
        }
    }
}
