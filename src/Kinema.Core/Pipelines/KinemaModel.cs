using Kinema.Models;
using Kinema.Runtime;
using Kinema.Text;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>How to place a model when loading it.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Computation precision; null picks float32 on CPU and bfloat16 on CUDA.</summary>
    public ScalarType? ComputeType { get; init; }
}

/// <summary>Stages of loading, for progress reporting.</summary>
public sealed record LoadProgress(string Component, int Index, int Count);

/// <summary>
/// A loaded model: tokenizer, text encoder, transformer and VAE on one device. Load it once and hand it
/// to any number of pipeline calls (one at a time: a model is not safe for concurrent generation).
/// </summary>
public sealed class KinemaModel : IDisposable
{
    public const string TokenizerFile = "tokenizer.json";
    public const string TextEncoderFile = "text_encoder.safetensors";
    public const string TransformerFile = "transformer.safetensors";
    public const string VaeFile = "vae.safetensors";

    private readonly bool _ownsComponents;

    private KinemaModel(string? folder, ModelConfig config, WordTokenizer tokenizer, TextEncoder textEncoder, VideoDit transformer, VideoVae vae, Device device, ScalarType computeType, bool ownsComponents = true)
    {
        _ownsComponents = ownsComponents;
        Folder = folder;
        Config = config;
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        Transformer = transformer;
        Vae = vae;
        Device = device;
        ComputeType = computeType;
    }

    /// <summary>The folder it was loaded from, or null for a model built in memory.</summary>
    public string? Folder { get; }
    public ModelConfig Config { get; }
    public WordTokenizer Tokenizer { get; }
    public TextEncoder TextEncoder { get; }
    public VideoDit Transformer { get; }
    public VideoVae Vae { get; }
    public Device Device { get; }
    public ScalarType ComputeType { get; }
    public string Name => Config.Name;

    /// <summary>
    /// Reads config.json, tokenizer.json and the three safetensors files, checking every tensor's name,
    /// shape and dtype against the config before any weight is used.
    /// </summary>
    public static KinemaModel Load(string folder, ModelLoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellation = default)
    {
        options ??= new ModelLoadOptions();
        TorchRuntime.EnsureLoaded();
        var device = TorchRuntime.ResolveDevice(options.Device);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"model folder not found: {folder}");
        var computeType = options.ComputeType ?? (device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32);

        var config = ModelConfig.Load(Path.Combine(folder, ModelConfig.FileName));
        var tokenizer = WordTokenizer.Load(RequireFile(folder, TokenizerFile));
        if (tokenizer.Vocabulary.Count > config.TextEncoder.VocabularySize)
            throw new InvalidDataException($"{Path.Combine(folder, TokenizerFile)}: {tokenizer.Vocabulary.Count} words exceed text_encoder.vocabulary_size ({config.TextEncoder.VocabularySize})");
        if (tokenizer.MaxLength > config.TextEncoder.MaxLength)
            throw new InvalidDataException($"{Path.Combine(folder, TokenizerFile)}: max_length {tokenizer.MaxLength} exceeds text_encoder.max_length ({config.TextEncoder.MaxLength})");

        var textEncoder = new TextEncoder(config.TextEncoder);
        var transformer = new VideoDit(config.Transformer);
        var vae = new VideoVae(config.Vae);
        var model = new KinemaModel(Path.GetFullPath(folder), config, tokenizer, textEncoder, transformer, vae, device, computeType);
        try
        {
            var parts = new (string Name, nn.Module Module, string File)[]
            {
                ("text_encoder", textEncoder, TextEncoderFile), ("transformer", transformer, TransformerFile), ("vae", vae, VaeFile),
            };
            for (int i = 0; i < parts.Length; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new LoadProgress(parts[i].Name, i, parts.Length));
                using var source = ShardedSafeTensors.Open(RequireFile(folder, parts[i].File));
                StateDictLoader.Load(parts[i].Module, source, parts[i].Name);
            }
            model.Place();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps modules someone else owns (a trainer's EMA copies, say) as a model for pipelines and saving.
    /// The modules must already be on <paramref name="device"/> in <paramref name="computeType"/>;
    /// disposing the model leaves them alone.
    /// </summary>
    public static KinemaModel FromComponents(ModelConfig config, WordTokenizer tokenizer, TextEncoder textEncoder, VideoDit transformer, VideoVae vae, Device device, ScalarType computeType)
    {
        config.Validate();
        return new KinemaModel(null, config, tokenizer, textEncoder, transformer, vae, device, computeType, ownsComponents: false);
    }

    /// <summary>A model with freshly initialised weights (seeded), for training or for testing the stack end to end.</summary>
    public static KinemaModel CreateRandom(ModelConfig config, WordTokenizer tokenizer, long seed = 0, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        config.Validate();
        TorchRuntime.EnsureLoaded();
        var device = TorchRuntime.ResolveDevice(options.Device);
        var computeType = options.ComputeType ?? (device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32);
        manual_seed(seed);
        var textEncoder = new TextEncoder(config.TextEncoder);
        textEncoder.InitializeWeights();
        var transformer = new VideoDit(config.Transformer);
        transformer.InitializeWeights();
        var vae = new VideoVae(config.Vae);
        var model = new KinemaModel(null, config, tokenizer, textEncoder, transformer, vae, device, computeType);
        model.Place();
        return model;
    }

    /// <summary>
    /// Writes config, tokenizer and weights (floating tensors as <paramref name="weightsType"/>) to a new
    /// folder beside <paramref name="folder"/> and swaps it into place, so an interrupted save never
    /// damages the model already there.
    /// </summary>
    public void Save(string folder, ScalarType weightsType = ScalarType.Float16)
    {
        if (weightsType is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32))
            throw new ArgumentException($"weights can be saved as float16, bfloat16 or float32, not {weightsType}");
        string target = Path.GetFullPath(folder);
        string parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.saving-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, ModelConfig.FileName), Config.ToJson());
            Tokenizer.Save(Path.Combine(staging, TokenizerFile));
            SaveWeights(TextEncoder, Path.Combine(staging, TextEncoderFile), weightsType);
            SaveWeights(Transformer, Path.Combine(staging, TransformerFile), weightsType);
            SaveWeights(Vae, Path.Combine(staging, VaeFile), weightsType);
            string? previous = null;
            if (Directory.Exists(target))
            {
                previous = Path.Combine(parent, $".{Path.GetFileName(target)}.previous-{Guid.NewGuid():N}");
                Directory.Move(target, previous);
            }
            Directory.Move(staging, target);
            if (previous is not null) Directory.Delete(previous, recursive: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Parameter count per component.</summary>
    public IReadOnlyDictionary<string, long> ParameterCounts() => new Dictionary<string, long>
    {
        ["text_encoder"] = TextEncoder.parameters().Sum(p => p.numel()),
        ["transformer"] = Transformer.parameters().Sum(p => p.numel()),
        ["vae"] = Vae.parameters().Sum(p => p.numel()),
    };

    private void SaveWeights(nn.Module module, string path, ScalarType weightsType)
    {
        using var scope = NewDisposeScope();
        var tensors = module.state_dict()
            .Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.is_floating_point() ? kv.Value.detach().to(weightsType).cpu() : kv.Value.detach().cpu()))
            .ToList();
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["kinema_model"] = Config.Name });
    }

    private void Place()
    {
        foreach (nn.Module module in new nn.Module[] { TextEncoder, Transformer, Vae })
        {
            module.to(Device);
            module.to(ComputeType);
            module.eval();
        }
    }

    private static string RequireFile(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"model folder {folder} has no {name}", path);
        return path;
    }

    public void Dispose()
    {
        if (!_ownsComponents) return;
        TextEncoder.Dispose();
        Transformer.Dispose();
        Vae.Dispose();
    }
}
