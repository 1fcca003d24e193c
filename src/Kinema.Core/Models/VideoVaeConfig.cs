namespace Kinema.Models;

/// <summary>
/// Shape of the causal video VAE ("video compression network"). Spatial compression is 2^(stages-1)
/// (8x for four stages), temporal compression 2^(number of temporal downsamples) (4x by default):
/// 1 + 4k frames become 1 + k latent frames, the first frame encoded on its own.
/// </summary>
public sealed record VideoVaeConfig
{
    public int ImageChannels { get; init; } = 3;
    public int LatentChannels { get; init; } = 16;
    public int BaseChannels { get; init; } = 16;
    /// <summary>Channel multiplier per resolution stage, highest resolution first.</summary>
    public int[] ChannelMultipliers { get; init; } = [1, 2, 4, 8];
    public int ResidualBlocksPerStage { get; init; } = 1;
    /// <summary>For each downsample between stages: whether it also halves time.</summary>
    public bool[] TemporalDownsample { get; init; } = [false, true, true];
    /// <summary>
    /// Parameter-free shortcuts around every resampling step (space/time averaging going down, repetition
    /// going up, channel averaging into the latent and repetition out of it), after DC-AE's residual
    /// autoencoding. Without them the deep convolutional path must learn an identity first, and training
    /// sits for thousands of steps at a blurred average; false keeps the original layout for old models.
    /// </summary>
    public bool ResamplingShortcuts { get; init; }
    /// <summary>
    /// What the decoder's parameter-free shortcut does where it doubles time (with <see cref="ResamplingShortcuts"/>).
    /// <see cref="Models.TemporalUpsampling.Repeat"/> draws both new frames alike, so a decoder that only adds to
    /// it shows motion as a jump at every latent-frame hand-over; <see cref="Models.TemporalUpsampling.Linear"/>
    /// spreads the change from the previous frame over the pair. Neither has weights, so a VAE's weights load into both.
    /// </summary>
    public TemporalUpsampling TemporalUpsampling { get; init; } = TemporalUpsampling.Repeat;
    /// <summary>Per-channel mean of the encoder's latents, subtracted so the diffusion model sees ~N(0, 1).</summary>
    public float[] LatentsMean { get; init; } = [];
    /// <summary>Per-channel standard deviation of the encoder's latents.</summary>
    public float[] LatentsStd { get; init; } = [];

    public int SpatialCompression => 1 << (ChannelMultipliers.Length - 1);
    public int TemporalCompression => 1 << TemporalDownsample.Count(x => x);

    /// <summary>Latent frames for a clip of <paramref name="frames"/> pixel frames (1 + 4k → 1 + k).</summary>
    public int LatentFrames(int frames) => LatentSteps(frames - 1) + 1;

    /// <summary>Latent frames of <see cref="TemporalCompression"/> frames each that <paramref name="frames"/> frames after a clip's first fill (rounded up).</summary>
    public int LatentSteps(int frames) => (frames + TemporalCompression - 1) / TemporalCompression;

    /// <summary>Pixel frames the decoder produces from <paramref name="latentFrames"/> latent frames.</summary>
    public int PixelFrames(int latentFrames) => 1 + (latentFrames - 1) * TemporalCompression;

    public void Validate()
    {
        if (ImageChannels < 1) throw new ArgumentException($"vae.image_channels must be >= 1, got {ImageChannels}");
        if (LatentChannels < 1) throw new ArgumentException($"vae.latent_channels must be >= 1, got {LatentChannels}");
        if (BaseChannels < 1) throw new ArgumentException($"vae.base_channels must be >= 1, got {BaseChannels}");
        if (ChannelMultipliers.Length < 1 || ChannelMultipliers.Any(m => m < 1))
            throw new ArgumentException("vae.channel_multipliers must list at least one positive multiplier");
        if (TemporalDownsample.Length != ChannelMultipliers.Length - 1)
            throw new ArgumentException($"vae.temporal_downsample must have {ChannelMultipliers.Length - 1} entries (one per downsample), got {TemporalDownsample.Length}");
        if (ResidualBlocksPerStage < 1) throw new ArgumentException("vae.residual_blocks_per_stage must be >= 1");
        if (LatentsMean.Length != 0 && LatentsMean.Length != LatentChannels)
            throw new ArgumentException($"vae.latents_mean must have {LatentChannels} entries, got {LatentsMean.Length}");
        if (LatentsStd.Length != 0 && LatentsStd.Length != LatentChannels)
            throw new ArgumentException($"vae.latents_std must have {LatentChannels} entries, got {LatentsStd.Length}");
        if (LatentsStd.Any(s => !(s > 0))) throw new ArgumentException("vae.latents_std entries must be > 0");
        if (!Enum.IsDefined(TemporalUpsampling)) throw new ArgumentException($"vae.temporal_upsampling must be repeat or linear, got {(int)TemporalUpsampling}");
        if (TemporalUpsampling != TemporalUpsampling.Repeat && !ResamplingShortcuts)
            throw new ArgumentException("vae.temporal_upsampling linear needs vae.resampling_shortcuts: it is the shortcut's way of doubling time");
        if (ResamplingShortcuts)
        {
            int[] channels = ChannelMultipliers.Select(m => m * BaseChannels).ToArray();
            static bool Divide(int a, int b) => a % b == 0 || b % a == 0;
            if (!Divide(channels[^1], LatentChannels) || channels.Zip(channels.Skip(1)).Any(p => !Divide(p.First, p.Second)))
                throw new ArgumentException($"vae.resampling_shortcuts needs stage channels [{string.Join(", ", channels)}] and latent_channels {LatentChannels} that divide each other in turn");
        }
    }
}

/// <summary>The decoder shortcut's way of doubling time; see <see cref="VideoVaeConfig.TemporalUpsampling"/>.</summary>
public enum TemporalUpsampling
{
    /// <summary>Each frame twice.</summary>
    Repeat,
    /// <summary>
    /// Frame t becomes x_t − d/4 and x_t + d/4 with d = x_t − x_{t−1}: the pair keeps x_t as its mean (what the
    /// encoder's pair average recorded) and lies on the line through the two latent frames, so steady motion comes
    /// out as even steps. Causal: it looks back one frame, never ahead.
    /// </summary>
    Linear,
}
