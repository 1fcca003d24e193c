using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Kinema.Wan.TextEncoder;

/// <summary>
/// The fields of a transformers <c>UMT5Config</c> (text_encoder/config.json) that the encoder needs. Names follow the
/// file, so <see cref="Load"/> reads the real file as is; unknown fields are ignored.
/// </summary>
public sealed record UMT5Config
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 256_384;
    [JsonPropertyName("d_model")] public int DModel { get; init; } = 4096;
    [JsonPropertyName("d_kv")] public int DKv { get; init; } = 64;
    [JsonPropertyName("d_ff")] public int DFf { get; init; } = 10_240;
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 24;
    [JsonPropertyName("num_heads")] public int NumHeads { get; init; } = 64;
    [JsonPropertyName("relative_attention_num_buckets")] public int RelativeAttentionNumBuckets { get; init; } = 32;
    [JsonPropertyName("relative_attention_max_distance")] public int RelativeAttentionMaxDistance { get; init; } = 128;
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; init; } = 1e-6;
    [JsonPropertyName("feed_forward_proj")] public string FeedForwardProj { get; init; } = "gated-gelu";
    [JsonPropertyName("dense_act_fn")] public string? DenseActFn { get; init; }
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; }
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 1;
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "umt5";

    /// <summary>google/umt5-xxl's encoder, the one every Wan 2.1 / 2.2 model uses (5.7 B parameters).</summary>
    public static UMT5Config Xxl { get; } = new();

    /// <summary>A two-layer toy with the same structure, for tests and random folders.</summary>
    public static UMT5Config Tiny { get; } = new()
    {
        VocabSize = 512, DModel = 32, DKv = 8, DFf = 64, NumLayers = 2, NumHeads = 4,
        RelativeAttentionNumBuckets = 32, RelativeAttentionMaxDistance = 128,
    };

    /// <summary>Attention width: heads × d_kv (equal to d_model for umT5-XXL, but not required to be).</summary>
    public int InnerDim => NumHeads * DKv;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that this port cannot run.</summary>
    public void Validate()
    {
        if (VocabSize <= 0 || DModel <= 0 || DKv <= 0 || DFf <= 0 || NumLayers <= 0 || NumHeads <= 0)
            throw new ArgumentException($"umT5 config sizes must be positive (vocab_size {VocabSize}, d_model {DModel}, d_kv {DKv}, d_ff {DFf}, num_layers {NumLayers}, num_heads {NumHeads})");
        if (RelativeAttentionNumBuckets < 4 || RelativeAttentionNumBuckets % 2 != 0)
            throw new ArgumentException($"relative_attention_num_buckets must be even and at least 4, got {RelativeAttentionNumBuckets}");
        if (RelativeAttentionMaxDistance <= RelativeAttentionNumBuckets / 4)
            throw new ArgumentException($"relative_attention_max_distance ({RelativeAttentionMaxDistance}) must exceed num_buckets/4");
        if (FeedForwardProj is not ("gated-gelu"))
            throw new ArgumentException($"feed_forward_proj '{FeedForwardProj}' is not supported; umT5 uses 'gated-gelu'");
        if (ActivationName is not ("gelu_new" or "gelu_pytorch_tanh" or "gelu"))
            throw new ArgumentException($"dense_act_fn '{ActivationName}' is not supported (gelu_new, gelu_pytorch_tanh, gelu)");
    }

    /// <summary>The FFN activation: dense_act_fn, or what transformers derives from feed_forward_proj ("gated-gelu" → gelu_new).</summary>
    [JsonIgnore]
    public string ActivationName => DenseActFn ?? "gelu_new";

    public static UMT5Config Load(string path)
    {
        string file = Directory.Exists(path) ? System.IO.Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"umT5 config not found: '{System.IO.Path.GetFullPath(file)}'", file);
        UMT5Config? config;
        try
        {
            config = JsonSerializer.Deserialize<UMT5Config>(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a valid umT5 config ({e.Message})", e);
        }
        if (config is null) throw new InvalidDataException($"{file}: empty umT5 config");
        config.Validate();
        return config;
    }

    /// <summary>Writes the config in transformers' full schema, as google/umt5-xxl's encoder ships it in a Wan diffusers folder.</summary>
    public void Save(string file, string torchDType = "bfloat16")
    {
        var node = new JsonObject
        {
            ["_name_or_path"] = "google/umt5-xxl",
            ["architectures"] = new JsonArray("UMT5EncoderModel"),
            ["classifier_dropout"] = 0.0,
            ["d_ff"] = DFf,
            ["d_kv"] = DKv,
            ["d_model"] = DModel,
            ["decoder_start_token_id"] = 0,
            ["dense_act_fn"] = ActivationName,
            ["dropout_rate"] = 0.1,
            ["eos_token_id"] = EosTokenId,
            ["feed_forward_proj"] = FeedForwardProj,
            ["initializer_factor"] = 1.0,
            ["is_encoder_decoder"] = true,
            ["is_gated_act"] = true,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["model_type"] = ModelType,
            ["num_decoder_layers"] = NumLayers,
            ["num_heads"] = NumHeads,
            ["num_layers"] = NumLayers,
            ["output_past"] = true,
            ["pad_token_id"] = PadTokenId,
            ["relative_attention_max_distance"] = RelativeAttentionMaxDistance,
            ["relative_attention_num_buckets"] = RelativeAttentionNumBuckets,
            ["scalable_attention"] = true,
            ["tie_word_embeddings"] = false,
            ["tokenizer_class"] = "T5Tokenizer",
            ["torch_dtype"] = torchDType,
            ["transformers_version"] = "4.51.3",
            ["use_cache"] = true,
            ["vocab_size"] = VocabSize,
        };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))!);
        File.WriteAllText(file, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
