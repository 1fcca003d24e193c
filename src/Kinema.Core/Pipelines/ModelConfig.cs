using System.Text.Json;
using System.Text.Json.Serialization;
using Kinema.Models;
using Kinema.Schedulers;

namespace Kinema.Pipelines;

/// <summary>What a request gets when it leaves a setting out; stored with the model because it depends on how it was trained.</summary>
public sealed record GenerationDefaults
{
    public double Seconds { get; init; } = 2;
    public int Fps { get; init; } = 8;
    public int Width { get; init; } = 128;
    public int Height { get; init; } = 128;
    public int Steps { get; init; } = 20;
    public double Guidance { get; init; } = 5.0;
    /// <summary>
    /// Guidance only at noise levels σ ≥ this; 0 guides every step. The layout and the objects are decided at high
    /// noise, where guidance makes the prompt win; at low noise the prediction only sharpens what is there, and
    /// guidance there adds flicker (docs/training.md, session 16).
    /// </summary>
    public double GuidanceMinSigma { get; init; }
    public double Shift { get; init; } = 3.0;
    public SamplerKind Sampler { get; init; } = SamplerKind.DpmPlusPlus2M;
    /// <summary>
    /// For <c>euler-a</c>: the share of fresh noise in each step's re-noising, 0-1 (1: all fresh; below 1 part of the
    /// model's estimated noise is kept, and with it more motion; docs/training.md, session 19). Other samplers ignore it.
    /// </summary>
    public double Eta { get; init; } = 1.0;
    public string NegativePrompt { get; init; } = "";
}

/// <summary>The largest requests a model accepts (memory and trained range, not hard architecture limits).</summary>
public sealed record GenerationLimits
{
    public int MinSize { get; init; } = 32;
    public int MaxWidth { get; init; } = 1024;
    public int MaxHeight { get; init; } = 1024;
    public double MaxSeconds { get; init; } = 120;
    public int MaxFps { get; init; } = 60;
    public int MaxSteps { get; init; } = 1000;
    public double MaxGuidance { get; init; } = 30;
}

/// <summary>
/// config.json of a model folder: every component's shape plus generation defaults and limits.
/// Weights live beside it in text_encoder.safetensors, transformer.safetensors and vae.safetensors,
/// the vocabulary in tokenizer.json.
/// </summary>
public sealed record ModelConfig
{
    public const string FormatName = "kinema-model";
    public const string FileName = "config.json";

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = 1;
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required TextEncoderConfig TextEncoder { get; init; }
    public required VideoDitConfig Transformer { get; init; }
    public required VideoVaeConfig Vae { get; init; }
    public GenerationDefaults Defaults { get; init; } = new();
    public GenerationLimits Limits { get; init; } = new();

    /// <summary>Width and height must be multiples of this: VAE compression times the transformer's spatial patch.</summary>
    [JsonIgnore]
    public int SizeMultiple => Vae.SpatialCompression * Math.Max(Transformer.PatchSize[1], Transformer.PatchSize[2]);

    public void Validate()
    {
        if (Format != FormatName) throw new InvalidDataException($"config format is '{Format}', expected '{FormatName}'");
        if (FormatVersion != 1) throw new InvalidDataException($"config format_version {FormatVersion} is not supported (this build reads 1)");
        TextEncoder.Validate();
        Transformer.Validate();
        Vae.Validate();
        if (Transformer.LatentChannels != Vae.LatentChannels)
            throw new InvalidDataException($"transformer.latent_channels ({Transformer.LatentChannels}) must equal vae.latent_channels ({Vae.LatentChannels})");
        if (Transformer.TextDim != TextEncoder.HiddenSize)
            throw new InvalidDataException($"transformer.text_dim ({Transformer.TextDim}) must equal text_encoder.hidden_size ({TextEncoder.HiddenSize})");
    }

    public string ToJson() => JsonSerializer.Serialize(this, IO.Json.Options);

    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model config not found: {path}", path);
        ModelConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(path), IO.Json.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid model config ({e.Message})", e);
        }
        if (config is null) throw new InvalidDataException($"{path}: empty model config");
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return config;
    }
}
