using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Kinema.Wan.Vae;

/// <summary>
/// diffusers' <c>AutoencoderKLWan</c> config (vae/config.json). Field names follow the file (including diffusers'
/// "temperal" spelling) so the real file loads as is; absent fields take diffusers' defaults, which are Wan 2.1's VAE.
/// </summary>
public sealed record WanVaeConfig
{
    // Static initialisers run in textual order: these constants must precede the presets that use them.
    // W21:wan/modules/vae.py WanVAE.__init__ (identical to diffusers' AutoencoderKLWan defaults).
    private static readonly double[] Wan21Mean =
    [
        -0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
        0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921,
    ];

    private static readonly double[] Wan21Std =
    [
        2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
        3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160,
    ];

    // W22:wan/modules/vae2_2.py (and diffusers' convert script vae22_diffusers_config).
    private static readonly double[] Wan22Mean =
    [
        -0.2289, -0.0052, -0.1323, -0.2339, -0.2799, 0.0174, 0.1838, 0.1557,
        -0.1382, 0.0542, 0.2813, 0.0891, 0.1570, -0.0098, 0.0375, -0.1825,
        -0.2246, -0.1207, -0.0698, 0.5109, 0.2665, -0.2108, -0.2158, 0.2502,
        -0.2055, -0.0322, 0.1109, 0.1567, -0.0729, 0.0899, -0.2799, -0.1230,
        -0.0313, -0.1649, 0.0117, 0.0723, -0.2839, -0.2083, -0.0520, 0.3748,
        0.0152, 0.1957, 0.1433, -0.2944, 0.3573, -0.0548, -0.1681, -0.0667,
    ];

    private static readonly double[] Wan22Std =
    [
        0.4765, 1.0364, 0.4514, 1.1677, 0.5313, 0.4990, 0.4818, 0.5013,
        0.8158, 1.0344, 0.5894, 1.0901, 0.6885, 0.6165, 0.8454, 0.4978,
        0.5759, 0.3523, 0.7135, 0.6804, 0.5833, 1.4146, 0.8986, 0.5659,
        0.7069, 0.5338, 0.4889, 0.4917, 0.4069, 0.4999, 0.6866, 0.4093,
        0.5709, 0.6065, 0.6415, 0.4944, 0.5726, 1.2042, 0.5458, 1.6887,
        0.3971, 1.0600, 0.3943, 0.5537, 0.5444, 0.4089, 0.7468, 0.7744,
    ];

    [JsonPropertyName("base_dim")] public int BaseDim { get; init; } = 96;
    [JsonPropertyName("decoder_base_dim")] public int? DecoderBaseDim { get; init; }
    [JsonPropertyName("z_dim")] public int ZDim { get; init; } = 16;
    [JsonPropertyName("dim_mult")] public int[] DimMult { get; init; } = [1, 2, 4, 4];
    [JsonPropertyName("num_res_blocks")] public int NumResBlocks { get; init; } = 2;
    [JsonPropertyName("attn_scales")] public double[] AttnScales { get; init; } = [];
    [JsonPropertyName("temperal_downsample")] public bool[] TemperalDownsample { get; init; } = [false, true, true];
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    [JsonPropertyName("latents_mean")] public double[] LatentsMean { get; init; } = Wan21Mean;
    [JsonPropertyName("latents_std")] public double[] LatentsStd { get; init; } = Wan21Std;
    [JsonPropertyName("is_residual")] public bool IsResidual { get; init; }
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 3;
    [JsonPropertyName("out_channels")] public int OutChannels { get; init; } = 3;
    [JsonPropertyName("patch_size")] public int? PatchSize { get; init; }
    [JsonPropertyName("scale_factor_temporal")] public int ScaleFactorTemporal { get; init; } = 4;
    [JsonPropertyName("scale_factor_spatial")] public int ScaleFactorSpatial { get; init; } = 8;

    /// <summary>The decoder's base width (Wan 2.2 decodes wider than it encodes).</summary>
    [JsonIgnore] public int DecoderDim => DecoderBaseDim ?? BaseDim;

    /// <summary>Wan 2.1's VAE (used by T2V-1.3B and T2V-14B): z 16, 4×8×8.</summary>
    public static WanVaeConfig Wan21 { get; } = new();

    /// <summary>Wan 2.2's VAE (TI2V-5B): z 48, 4×16×16 via a 2×2 patchify around a residual 4×8×8 network.</summary>
    public static WanVaeConfig Wan22 { get; } = new()
    {
        BaseDim = 160, DecoderBaseDim = 256, ZDim = 48, IsResidual = true, InChannels = 12, OutChannels = 12,
        PatchSize = 2, ScaleFactorSpatial = 16, LatentsMean = Wan22Mean, LatentsStd = Wan22Std,
    };

    /// <summary>A toy with Wan 2.1's structure (one residual block per stage): fast enough for unit tests.</summary>
    public static WanVaeConfig Tiny21 { get; } = new()
    {
        BaseDim = 8, ZDim = 4, DimMult = [1, 2, 2, 2], NumResBlocks = 1,
        LatentsMean = [0.1, -0.2, 0.3, 0.0], LatentsStd = [1.5, 0.5, 2.0, 1.0],
    };

    /// <summary>A toy with Wan 2.2's structure (residual stages, 2×2 patchify, wider decoder).</summary>
    public static WanVaeConfig Tiny22 { get; } = new()
    {
        BaseDim = 8, DecoderBaseDim = 12, ZDim = 4, DimMult = [1, 2, 2, 2], NumResBlocks = 1, IsResidual = true,
        InChannels = 12, OutChannels = 12, PatchSize = 2, ScaleFactorSpatial = 16,
        LatentsMean = [0.1, -0.2, 0.3, 0.0], LatentsStd = [1.5, 0.5, 2.0, 1.0],
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public void Validate()
    {
        if (BaseDim <= 0 || DecoderDim <= 0 || ZDim <= 0 || NumResBlocks <= 0)
            throw new ArgumentException($"VAE sizes must be positive (base_dim {BaseDim}, decoder_base_dim {DecoderDim}, z_dim {ZDim}, num_res_blocks {NumResBlocks})");
        if (DimMult.Length < 2 || DimMult.Any(m => m <= 0))
            throw new ArgumentException($"dim_mult must list at least two positive multipliers, got [{string.Join(", ", DimMult)}]");
        if (TemperalDownsample.Length != DimMult.Length - 1)
            throw new ArgumentException($"temperal_downsample needs {DimMult.Length - 1} entries (one per downsampling stage), got {TemperalDownsample.Length}");
        if (LatentsMean.Length != ZDim || LatentsStd.Length != ZDim)
            throw new ArgumentException($"latents_mean and latents_std need z_dim = {ZDim} entries, got {LatentsMean.Length} and {LatentsStd.Length}");
        if (LatentsStd.Any(s => s <= 0)) throw new ArgumentException("latents_std entries must be positive");
        if (Dropout != 0) throw new ArgumentException($"dropout {Dropout} is not supported (inference only)");
        int patch = PatchSize ?? 1;
        if (patch < 1) throw new ArgumentException($"patch_size must be at least 1, got {patch}");
        if (InChannels % (patch * patch) != 0 || OutChannels % (patch * patch) != 0)
            throw new ArgumentException($"in_channels {InChannels} and out_channels {OutChannels} must be multiples of patch_size² = {patch * patch} (they count the patchified channels)");
    }

    /// <summary>Frames of video per latent frame after the first (4 for every Wan VAE).</summary>
    [JsonIgnore] public int TemporalCompression => 1 << TemperalDownsample.Count(t => t);

    /// <summary>Pixels per latent cell along height and width, including the patchify (8 for 2.1, 16 for 2.2).</summary>
    [JsonIgnore] public int SpatialCompression => (1 << TemperalDownsample.Length) * (PatchSize ?? 1);

    /// <summary>RGB (or whatever) channels of the video itself, before patchify.</summary>
    [JsonIgnore] public int VideoChannels => InChannels / ((PatchSize ?? 1) * (PatchSize ?? 1));

    public static WanVaeConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"VAE config not found: '{Path.GetFullPath(file)}'", file);
        WanVaeConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<WanVaeConfig>(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a valid AutoencoderKLWan config ({e.Message})", e);
        }
        if (config is null) throw new InvalidDataException($"{file}: empty VAE config");
        config.Validate();
        return config;
    }

    /// <summary>Writes the config in diffusers' schema (<c>_class_name</c> AutoencoderKLWan).</summary>
    public void Save(string file)
    {
        var node = new JsonObject
        {
            ["_class_name"] = "AutoencoderKLWan",
            ["_diffusers_version"] = "0.35.0",
            ["attn_scales"] = new JsonArray(AttnScales.Select(s => (JsonNode)s).ToArray()),
            ["base_dim"] = BaseDim,
            ["decoder_base_dim"] = DecoderBaseDim,
            ["dim_mult"] = new JsonArray(DimMult.Select(m => (JsonNode)m).ToArray()),
            ["dropout"] = Dropout,
            ["in_channels"] = InChannels,
            ["is_residual"] = IsResidual,
            ["latents_mean"] = new JsonArray(LatentsMean.Select(m => (JsonNode)m).ToArray()),
            ["latents_std"] = new JsonArray(LatentsStd.Select(s => (JsonNode)s).ToArray()),
            ["num_res_blocks"] = NumResBlocks,
            ["out_channels"] = OutChannels,
            ["patch_size"] = PatchSize,
            ["scale_factor_spatial"] = ScaleFactorSpatial,
            ["scale_factor_temporal"] = ScaleFactorTemporal,
            ["temperal_downsample"] = new JsonArray(TemperalDownsample.Select(t => (JsonNode)t).ToArray()),
            ["z_dim"] = ZDim,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        File.WriteAllText(file, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
