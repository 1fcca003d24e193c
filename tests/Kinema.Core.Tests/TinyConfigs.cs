using Kinema.Models;

namespace Kinema.Core.Tests;

/// <summary>Two-layer, few-channel versions of every component, small enough for millisecond tests.</summary>
internal static class TinyConfigs
{
    public static VideoVaeConfig Vae => new()
    {
        LatentChannels = 4,
        BaseChannels = 4,
        ChannelMultipliers = [1, 2, 2, 2],
        TemporalDownsample = [false, true, true],
    };

    public static VideoDitConfig Dit => new()
    {
        LatentChannels = 4,
        HiddenSize = 48,
        Depth = 2,
        Heads = 2,
        TextDim = 32,
        FrequencyEmbeddingSize = 32,
    };

    public static TextEncoderConfig TextEncoder => new()
    {
        VocabularySize = 64,
        MaxLength = 16,
        HiddenSize = 32,
        Depth = 2,
        Heads = 2,
    };
}
