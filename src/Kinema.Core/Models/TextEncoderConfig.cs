namespace Kinema.Models;

/// <summary>Shape of the small bidirectional transformer that turns prompt tokens into cross-attention context.</summary>
public sealed record TextEncoderConfig
{
    public int VocabularySize { get; init; } = 1024;
    public int MaxLength { get; init; } = 48;
    public int HiddenSize { get; init; } = 256;
    public int Depth { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public double MlpRatio { get; init; } = 4.0;

    public void Validate()
    {
        if (VocabularySize < 4) throw new ArgumentException("text_encoder.vocabulary_size must be >= 4 (special tokens)");
        if (MaxLength < 2) throw new ArgumentException("text_encoder.max_length must be >= 2");
        if (HiddenSize < 1 || Heads < 1 || HiddenSize % Heads != 0)
            throw new ArgumentException($"text_encoder.hidden_size ({HiddenSize}) must be a positive multiple of text_encoder.heads ({Heads})");
        if (Depth < 1) throw new ArgumentException("text_encoder.depth must be >= 1");
    }
}
