namespace Kinema.Models;

/// <summary>Shape of the diffusion transformer over spacetime latent patches.</summary>
public sealed record VideoDitConfig
{
    public int LatentChannels { get; init; } = 16;
    /// <summary>Patch size in latent (frames, height, width).</summary>
    public int[] PatchSize { get; init; } = [1, 2, 2];
    public int HiddenSize { get; init; } = 256;
    public int Depth { get; init; } = 8;
    public int Heads { get; init; } = 4;
    public double MlpRatio { get; init; } = 4.0;
    /// <summary>Width of the text encoder's output that cross-attention reads.</summary>
    public int TextDim { get; init; } = 256;
    public int FrequencyEmbeddingSize { get; init; } = 256;
    public double RopeTheta { get; init; } = 10000;
    public double NormEps { get; init; } = 1e-6;
    /// <summary>
    /// Adds σ·x_t to the network's output, so the velocity passes the input's noise through by construction
    /// (v = σ·x_t + F). Without it the trained toy models passed only about 40 % of the noise at σ ≈ 1, leaving the
    /// rest in the clean estimate (docs/training.md, session 8). Off for models trained without it.
    /// </summary>
    public bool VelocitySkip { get; init; }
    /// <summary>
    /// Also adds the caption's pooled embedding (the mean over its tokens, projected) to every block's adaLN
    /// conditioning, as DiT conditions on a class and SD3 on a pooled text vector. One vector per clip steers every
    /// token's modulation, so the gradient that teaches the text encoder sums over all tokens instead of reaching it
    /// only through cross-attention (docs/training.md, session 9). Off for models trained without it.
    /// </summary>
    public bool PooledText { get; init; }
    /// <summary>
    /// Adds a small residual convolution block after unpatchifying: 3x3x3 over the velocity and the input latents,
    /// so each output voxel also sees its neighbours across token borders and in the neighbouring latent frames.
    /// U-ViT (Bao et al., 2023) found a 3x3 convolution after the patch projection improves samples; here its third
    /// axis is time, aimed at the toy models' patchwork of 16-pixel tokens laid out afresh in each latent frame
    /// (docs/training.md, session 14). Its last layer starts at zero, so a warm start begins exactly where the source
    /// model was. Off for models trained without it.
    /// </summary>
    public bool OutputRefiner { get; init; }
    /// <summary>Channels inside the output refiner.</summary>
    public int OutputRefinerChannels { get; init; } = 32;

    public int HeadDim => HiddenSize / Heads;
    public int PatchVolume => PatchSize[0] * PatchSize[1] * PatchSize[2];

    public void Validate()
    {
        if (PatchSize.Length != 3 || PatchSize.Any(p => p < 1))
            throw new ArgumentException("transformer.patch_size must be three positive integers (frames, height, width)");
        // Timesteps and conditioning are per latent frame, so a patch may not span frames.
        if (PatchSize[0] != 1) throw new ArgumentException($"transformer.patch_size[0] (frames) must be 1, got {PatchSize[0]}");
        if (HiddenSize < 1 || Heads < 1 || HiddenSize % Heads != 0)
            throw new ArgumentException($"transformer.hidden_size ({HiddenSize}) must be a positive multiple of transformer.heads ({Heads})");
        if (HeadDim % 2 != 0) throw new ArgumentException($"transformer head dimension ({HeadDim}) must be even for rotary embeddings");
        if (Depth < 1) throw new ArgumentException("transformer.depth must be >= 1");
        if (LatentChannels < 1 || TextDim < 1) throw new ArgumentException("transformer.latent_channels and text_dim must be >= 1");
        if (FrequencyEmbeddingSize < 2 || FrequencyEmbeddingSize % 2 != 0)
            throw new ArgumentException("transformer.frequency_embedding_size must be even and >= 2");
        if (MlpRatio <= 0) throw new ArgumentException("transformer.mlp_ratio must be > 0");
        if (OutputRefinerChannels < 1) throw new ArgumentException($"transformer.output_refiner_channels must be >= 1, got {OutputRefinerChannels}");
    }
}
