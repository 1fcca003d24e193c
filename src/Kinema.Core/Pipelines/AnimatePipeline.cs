using System.Diagnostics;
using Kinema.Media;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>Image-to-video: the video starts on <see cref="FirstFrame"/>, ends on <see cref="LastFrame"/>, or both.</summary>
public sealed record AnimateRequest
{
    public required VideoRequest Video { get; init; }
    public RgbFrame? FirstFrame { get; init; }
    public RgbFrame? LastFrame { get; init; }
}

/// <summary>
/// Animates still images: the given images become clean latent frames at the start and/or end of the
/// clip (timestep 0), and the model generates the frames between them under the prompt.
/// </summary>
public sealed class AnimatePipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>A first and a last frame need two latent frames between them; throws <see cref="InvalidRequestException"/> otherwise (the server checks before queueing).</summary>
    public static void CheckRoomForBothEnds(ResolvedVideoRequest request, ModelConfig config)
    {
        if (request.LatentFrames < 2)
            throw new InvalidRequestException($"a first and a last frame need at least {config.Vae.TemporalCompression + 1} frames; ask for more seconds");
    }

    public VideoResult Generate(AnimateRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.FirstFrame is null && request.LastFrame is null)
            throw new InvalidRequestException("animate needs a first frame, a last frame, or both");
        var reference = request.FirstFrame ?? request.LastFrame!;
        var (w, h) = ConditioningFrames.SizeFor(request.Video, reference.Width, reference.Height, Model.Config);
        var r = VideoRequestValidator.Resolve(request.Video with { Width = w, Height = h }, Model.Config);
        if (request.FirstFrame is not null && request.LastFrame is not null) CheckRoomForBothEnds(r, Model.Config);

        var clock = Stopwatch.StartNew();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int s = Model.Config.Vae.SpatialCompression;
        var shape = new long[] { 1, Model.Config.Vae.LatentChannels, r.LatentFrames, r.Height / s, r.Width / s };
        var known = new bool[r.LatentFrames];
        var latents = zeros(shape, dtype: Model.ComputeType, device: Model.Device);
        if (request.FirstFrame is not null)
        {
            var first = ConditioningFrames.Encode(Model, ConditioningFrames.Resize([request.FirstFrame], r.Width, r.Height), cancellation);
            latents[.., .., 0] = first[.., .., 0];
            known[0] = true;
        }
        if (request.LastFrame is not null)
        {
            // Latent 0 stands for one frame; any later latent for four, so there the image is held for four frames: the
            // latent frame after frame 0 of the image held still.
            int index = r.LatentFrames - 1;
            var image = ConditioningFrames.Resize([request.LastFrame], r.Width, r.Height)[0];
            var last = index == 0
                ? ConditioningFrames.Encode(Model, [image], cancellation)
                : ConditioningFrames.EncodeFollowing(Model, [image], 1, cancellation);
            latents[.., .., index] = last[.., .., 0];
            known[index] = true;
        }

        progress?.Report(new GenerationProgress(GenerationStage.EncodingText, 0, 1, clock.Elapsed));
        using var text = TextConditioning.Encode(Model, r.Prompt, r.NegativePrompt, guided: r.Guidance > 1);
        var noise = FlowSampler.Noise(r.Seed, shape, Model.Device, Model.ComputeType);
        using var result = FlowSampler.Sample(Model, noise, text, r, new FlowSampler.Conditioning(latents, known), progress, clock, cancellation);
        var frames = TextToVideoPipeline.DecodeFrames(Model, result, r.FrameCount, progress, clock, cancellation);
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        return new VideoResult(frames, PipelineMetadata.For(Model, r, frames.Count, clock));
    }

    public Task<VideoResult> GenerateAsync(AnimateRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
        => GenerationThread.Run(() => Generate(request, progress, cancellation), cancellation);
}
