using Kinema.Wan.Schedulers;
using Kinema.Wan.TextEncoder;
using Kinema.Wan.Tokenizer;
using Kinema.Wan.Transformer;
using Kinema.Wan.Vae;

namespace Kinema.Wan.RandomWeights;

/// <summary>The Wan releases a random folder can imitate.</summary>
public enum WanVariant
{
    /// <summary>Wan 2.1 T2V-1.3B.</summary>
    T2V1_3B,
    /// <summary>Wan 2.1 T2V-14B.</summary>
    T2V14B,
    /// <summary>Wan 2.2 TI2V-5B (48 latent channels, Wan 2.2 VAE, per-token timesteps).</summary>
    TI2V5B,
    /// <summary>A two-layer model with toy text encoder and VAE, for tests; not a release.</summary>
    Tiny,
    /// <summary><see cref="Tiny"/> laid out as TI2V-5B: a toy Wan 2.2 VAE (2×2 patchify, 16× spatial) and per-token timesteps.</summary>
    TinyTI2V,
}

/// <summary>Every component config of one variant's folder; they fit together (text width, latent channels).</summary>
public sealed record WanVariantConfigs(
    WanTransformerConfig Transformer,
    UniPCSchedulerConfig Scheduler,
    UMT5Config TextEncoder,
    int TokenizerVocabSize,
    WanVaeConfig Vae,
    bool ExpandTimesteps);

/// <summary>Variant names as the CLI spells them, and each variant's configs.</summary>
public static class WanVariants
{
    /// <summary>The names <see cref="Parse"/> accepts, in release order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["1.3B", "14B", "ti2v-5B", "tiny", "tiny-ti2v"];

    public static WanVariant Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "1.3b" or "t2v-1.3b" => WanVariant.T2V1_3B,
        "14b" or "t2v-14b" => WanVariant.T2V14B,
        "ti2v-5b" or "5b" => WanVariant.TI2V5B,
        "tiny" => WanVariant.Tiny,
        "tiny-ti2v" => WanVariant.TinyTI2V,
        _ => throw new ArgumentException($"unknown Wan variant '{name}'; expected one of {string.Join(", ", Names)}"),
    };

    public static string ToName(this WanVariant variant) => Names[(int)variant];

    /// <summary>The released configs (diffusers convert script values, wan-spec.md §1) for <paramref name="variant"/>.</summary>
    public static WanVariantConfigs Configs(WanVariant variant) => variant switch
    {
        WanVariant.T2V1_3B => new(WanTransformerConfig.T2V1_3B, UniPCSchedulerConfig.Wan21, UMT5Config.Xxl, TokenizerJsonWriter.UmT5VocabSize, WanVaeConfig.Wan21, false),
        WanVariant.T2V14B => new(WanTransformerConfig.T2V14B, UniPCSchedulerConfig.Wan21, UMT5Config.Xxl, TokenizerJsonWriter.UmT5VocabSize, WanVaeConfig.Wan21, false),
        WanVariant.TI2V5B => new(WanTransformerConfig.TI2V5B, UniPCSchedulerConfig.Wan22TI2V, UMT5Config.Xxl, TokenizerJsonWriter.UmT5VocabSize, WanVaeConfig.Wan22, true),
        // The tiny transformer keeps its parity-fixture shape except the text width, which must be the toy encoder's.
        WanVariant.Tiny => new(WanTransformerConfig.Tiny with { TextDim = UMT5Config.Tiny.DModel }, UniPCSchedulerConfig.Wan21,
            UMT5Config.Tiny, UMT5Config.Tiny.VocabSize, WanVaeConfig.Tiny21, false),
        WanVariant.TinyTI2V => new(WanTransformerConfig.Tiny with { TextDim = UMT5Config.Tiny.DModel }, UniPCSchedulerConfig.Wan22TI2V,
            UMT5Config.Tiny, UMT5Config.Tiny.VocabSize, WanVaeConfig.Tiny22, true),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
    };
}
