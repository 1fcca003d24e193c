using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinema.Wan.Transformer;

/// <summary>
/// The shape of a Wan DiT, as diffusers stores it in <c>transformer/config.json</c>
/// (<c>WanTransformer3DModel</c>). Property names are the diffusers field names so the file reads and writes
/// unchanged; a field missing from the file takes the diffusers constructor default, exactly as
/// <c>from_pretrained</c> would.
/// </summary>
public sealed record WanTransformerConfig
{
    /// <summary>The only query/key normalisation diffusers builds: RMSNorm over the whole width, before the head split.</summary>
    public const string RmsNormAcrossHeads = "rms_norm_across_heads";

    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "WanTransformer3DModel";
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; } = "0.35.0";

    /// <summary>Patch size in latent (frames, height, width); the patch-embedding Conv3d's kernel and stride.</summary>
    [JsonPropertyName("patch_size")] public int[] PatchSize { get; init; } = [1, 2, 2];
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 40;
    [JsonPropertyName("attention_head_dim")] public int AttentionHeadDim { get; init; } = 128;
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 16;
    /// <summary>Null means "same as <see cref="InChannels"/>" (diffusers: <c>out_channels or in_channels</c>).</summary>
    [JsonPropertyName("out_channels")] public int? OutChannels { get; init; } = 16;
    /// <summary>Width of the text encoder output (umT5-XXL: 4096).</summary>
    [JsonPropertyName("text_dim")] public int TextDim { get; init; } = 4096;
    /// <summary>Width of the sinusoidal timestep embedding.</summary>
    [JsonPropertyName("freq_dim")] public int FreqDim { get; init; } = 256;
    [JsonPropertyName("ffn_dim")] public int FfnDim { get; init; } = 13824;
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 40;
    /// <summary>Whether cross-attention reads an affine LayerNorm of the stream (every released Wan: true).</summary>
    [JsonPropertyName("cross_attn_norm")] public bool CrossAttnNorm { get; init; } = true;
    [JsonPropertyName("qk_norm")] public string? QkNorm { get; init; } = RmsNormAcrossHeads;
    [JsonPropertyName("eps")] public double Eps { get; init; } = 1e-6;
    /// <summary>CLIP image width of the I2V-14B models; not ported (must be null).</summary>
    [JsonPropertyName("image_dim")] public int? ImageDim { get; init; }
    /// <summary>Image key/value projection width of the I2V-14B models; not ported (must be null).</summary>
    [JsonPropertyName("added_kv_proj_dim")] public int? AddedKvProjDim { get; init; }
    /// <summary>Rotary tables cover positions 0 … rope_max_seq_len − 1 on each axis of the patch grid.</summary>
    [JsonPropertyName("rope_max_seq_len")] public int RopeMaxSeqLen { get; init; } = 1024;
    /// <summary>FLF2V image position embedding length; not ported (must be null).</summary>
    [JsonPropertyName("pos_embed_seq_len")] public int? PosEmbedSeqLen { get; init; }

    /// <summary>Transformer width D = heads × head_dim.</summary>
    [JsonIgnore] public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>Output latent channels after resolving the null default.</summary>
    [JsonIgnore] public int ResolvedOutChannels => OutChannels ?? InChannels;

    /// <summary>Latent values per patch, pt·ph·pw.</summary>
    [JsonIgnore] public int PatchVolume => PatchSize[0] * PatchSize[1] * PatchSize[2];

    /// <summary>Wan 2.1 T2V-1.3B (diffusers <c>Wan-AI/Wan2.1-T2V-1.3B-Diffusers</c>).</summary>
    public static WanTransformerConfig T2V1_3B => new() { NumAttentionHeads = 12, FfnDim = 8960, NumLayers = 30 };

    /// <summary>Wan 2.1 T2V-14B (diffusers <c>Wan-AI/Wan2.1-T2V-14B-Diffusers</c>); also the shape of each Wan 2.2 A14B expert.</summary>
    public static WanTransformerConfig T2V14B => new() { NumAttentionHeads = 40, FfnDim = 13824, NumLayers = 40 };

    /// <summary>Wan 2.2 TI2V-5B (diffusers <c>Wan-AI/Wan2.2-TI2V-5B-Diffusers</c>): 48 latent channels, per-token timesteps.</summary>
    public static WanTransformerConfig TI2V5B => new() { NumAttentionHeads = 24, FfnDim = 14336, NumLayers = 30, InChannels = 48, OutChannels = 48 };

    /// <summary>
    /// A two-layer model for tests (the diffusers fast-test shape, widened a little). head_dim 12 splits into
    /// rotary channels 4/4/4, a split diffusers and the original Wan code agree on.
    /// </summary>
    public static WanTransformerConfig Tiny => new()
    {
        NumAttentionHeads = 2, AttentionHeadDim = 12, InChannels = 4, OutChannels = 4, TextDim = 16,
        FreqDim = 32, FfnDim = 40, NumLayers = 2, RopeMaxSeqLen = 64,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that cannot build a model.</summary>
    public void Validate()
    {
        if (PatchSize is not { Length: 3 } || PatchSize.Any(p => p < 1))
            throw new ArgumentException($"transformer config: patch_size must be three positive integers (frames, height, width), got [{string.Join(", ", PatchSize ?? [])}]");
        if (NumAttentionHeads < 1) throw new ArgumentException($"transformer config: num_attention_heads must be >= 1, got {NumAttentionHeads}");
        if (AttentionHeadDim < 2 || AttentionHeadDim % 2 != 0)
            throw new ArgumentException($"transformer config: attention_head_dim must be even (rotary pairs), got {AttentionHeadDim}");
        if (InChannels < 1 || ResolvedOutChannels < 1) throw new ArgumentException("transformer config: in_channels and out_channels must be >= 1");
        if (TextDim < 1 || FfnDim < 1 || NumLayers < 1) throw new ArgumentException("transformer config: text_dim, ffn_dim and num_layers must be >= 1");
        if (FreqDim < 2 || FreqDim % 2 != 0) throw new ArgumentException($"transformer config: freq_dim must be even and >= 2, got {FreqDim}");
        if (!(Eps > 0)) throw new ArgumentException($"transformer config: eps must be > 0, got {Eps}");
        if (RopeMaxSeqLen < 1) throw new ArgumentException($"transformer config: rope_max_seq_len must be >= 1, got {RopeMaxSeqLen}");
        if (QkNorm != RmsNormAcrossHeads)
            throw new NotSupportedException($"transformer config: qk_norm '{QkNorm ?? "null"}' is not supported; every Wan release uses '{RmsNormAcrossHeads}'");
        if (ImageDim is not null || AddedKvProjDim is not null || PosEmbedSeqLen is not null)
            throw new NotSupportedException(
                "transformer config: image_dim / added_kv_proj_dim / pos_embed_seq_len are set, i.e. this is a Wan I2V/FLF2V model with CLIP image "
                + "cross-attention, which Kinema.Wan does not port; use a T2V or TI2V checkpoint");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Reads <c>config.json</c>; errors name the file.</summary>
    public static WanTransformerConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"transformer config not found: '{path}'", path);
        WanTransformerConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<WanTransformerConfig>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid WanTransformer3DModel config ({e.Message})", e);
        }
        if (config is null) throw new InvalidDataException($"{path}: the file holds JSON null, not a config object");
        if (config.ClassName != "WanTransformer3DModel")
            throw new InvalidDataException($"{path}: _class_name is '{config.ClassName}', expected 'WanTransformer3DModel'");
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

    /// <summary>The config as diffusers writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
