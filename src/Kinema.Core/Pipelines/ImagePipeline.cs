using Kinema.Media;

namespace Kinema.Pipelines;

/// <summary>Text to image: a one-frame video through the same model (the VAE encodes frame 0 on its own).</summary>
public sealed class ImagePipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Seconds and fps of the request are ignored; the result has exactly one frame.</summary>
    public (RgbFrame Image, GenerationMetadata Metadata) Generate(VideoRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        var result = new TextToVideoPipeline(Model).Generate(request with { Seconds = 1, Fps = 1 }, progress, cancellation);
        return (result.Frames[0], result.Metadata);
    }
}
