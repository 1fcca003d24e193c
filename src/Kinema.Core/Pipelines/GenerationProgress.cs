using Kinema.Media;

namespace Kinema.Pipelines;

public enum GenerationStage
{
    EncodingText,
    Denoising,
    Decoding,
    Done,
}

/// <summary>A progress report: the stage, and for denoising and decoding, how far it is.</summary>
public sealed record GenerationProgress(GenerationStage Stage, int Step, int TotalSteps, TimeSpan Elapsed);

/// <summary>Everything that decided a generation, kept with the output (MP4 comment and API metadata).</summary>
public sealed record GenerationMetadata(
    string Model,
    string Prompt,
    string NegativePrompt,
    long Seed,
    int Steps,
    double Guidance,
    string Sampler,
    double Shift,
    double Seconds,
    int Fps,
    int Width,
    int Height,
    int FrameCount,
    IReadOnlyList<string> UnknownWords,
    double ElapsedSeconds,
    double GuidanceMinSigma = 0,
    double? Eta = null);

/// <summary>Generated frames (RGB, top-left origin) with their metadata.</summary>
public sealed record VideoResult(IReadOnlyList<RgbFrame> Frames, GenerationMetadata Metadata)
{
    public int Width => Metadata.Width;
    public int Height => Metadata.Height;
    public int Fps => Metadata.Fps;
}
