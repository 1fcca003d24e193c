using System.Diagnostics;
using Kinema.Media;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>
/// Seamless loops in two passes: (1) generate the clip; (2) keep its beginning clean, append the encoding of its first
/// frames as clean trailing latents, and regenerate the end so it flows into the start. Those trailing latents are the
/// clip's own second and later latent frames (frame 0 is its first latent frame on its own), so the regenerated end
/// runs one frame past the loop: its last frame stands where frame 0 comes round again and is dropped. The seam, from
/// the loop's last frame to frame 0, thus falls inside a latent frame, where the decoder steps least, rather than on a
/// hand-over between two (docs/training.md, session 24). The loop has 4k frames: the asked frames rounded up to whole
/// latent frames, so 2 s at 8 fps is 16 frames, exactly 2 s.
/// A loop longer than twice the model's default length (<see cref="StoryboardPipeline.NeedsWindows"/>) is generated
/// window by window, and its end is regenerated after the last few latent frames of the head rather than the whole head.
/// </summary>
public sealed class LoopPipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>
    /// How many frames the loop for <paramref name="request"/> has: its frame count rounded up to whole latent frames.
    /// Throws <see cref="InvalidRequestException"/> when that is too short to close or over the model's limit, so a server
    /// can refuse the request before queueing it.
    /// </summary>
    public static int LoopFrames(ResolvedVideoRequest request, ModelConfig config, int blendLatentFrames = 2)
    {
        int stride = config.Vae.TemporalCompression;
        int frames = config.Vae.LatentSteps(request.FrameCount) * stride;
        // The head keeps at least frame 0, and blendLatentFrames latent frames after it are regenerated.
        if (frames < stride * blendLatentFrames)
            throw new InvalidRequestException($"a loop needs at least {stride * (blendLatentFrames - 1) + 1} frames; ask for more seconds");
        if ((double)frames / request.Fps > config.Limits.MaxSeconds)
            throw new InvalidRequestException($"a loop is a whole number of {stride}-frame latent steps: {request.Seconds} s becomes {(double)frames / request.Fps:0.###} s, over this model's limit of {config.Limits.MaxSeconds} s; ask for a little less");
        return frames;
    }

    /// <summary><see cref="LoopFrames"/> in seconds.</summary>
    public static double LoopSeconds(ResolvedVideoRequest request, ModelConfig config, int blendLatentFrames = 2)
        => (double)LoopFrames(request, config, blendLatentFrames) / request.Fps;

    /// <param name="blendLatentFrames">How many latent frames at the end are regenerated to close the loop.</param>
    /// <param name="correctSeams">Match the regenerated end to the kept frames on both sides (see <see cref="SeamCorrection"/>); off shows the raw decode.</param>
    /// <param name="wrapLatentFrames">
    /// How many latent frames of the clip's start follow the regenerated end as clean context. Two carry the start's
    /// motion as well as its picture, so the end arrives moving the way the start leaves (kinema-toy-v7, ten toy-world
    /// scenes, with the seam then on a hand-over: worst seam 1.82 → 1.51, mean 1.31 → 1.25, against one). Capped at what
    /// the kept head shows, so the context is frames the loop itself contains, except in the shortest loops, whose head
    /// is frame 0 alone: there one latent frame of the first pass is still given.
    /// </param>
    public VideoResult Generate(VideoRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default, int blendLatentFrames = 2, bool correctSeams = true,
        int wrapLatentFrames = 2)
    {
        if (blendLatentFrames < 1) throw new ArgumentOutOfRangeException(nameof(blendLatentFrames), "at least one latent frame must be regenerated");
        if (wrapLatentFrames < 1) throw new ArgumentOutOfRangeException(nameof(wrapLatentFrames), "at least one latent frame of the start must follow the end");
        var r = VideoRequestValidator.Resolve(request, Model.Config);
        int stride = Model.Config.Vae.TemporalCompression;
        int loopFrames = LoopFrames(r, Model.Config, blendLatentFrames);
        double loopSeconds = (double)loopFrames / r.Fps;
        // The first pass's latent frames: frame 0, then loopFrames / stride more; the loop ends one frame short of them.
        int latentFrames = 1 + loopFrames / stride;
        var clock = Stopwatch.StartNew();
        bool windowed = StoryboardPipeline.NeedsWindows(loopSeconds, Model.Config);
        // Two denoising passes on one count of steps, so progress never goes back; only the loop as a whole is done.
        var firstPassProgress = progress is null ? null : new WindowProgress(progress, 0, 2);
        var closingProgress = progress is null ? null : new WindowProgress(progress, 1, 2);
        var firstPass = windowed
            ? new StoryboardPipeline(Model).Generate(new StoryboardRequest
            {
                Cards = [new StoryboardCard(0, r.Prompt)],
                Seconds = loopSeconds,
                Settings = request with { Seconds = loopSeconds, Fps = r.Fps, Width = r.Width, Height = r.Height },
            }, firstPassProgress, cancellation)
            : new TextToVideoPipeline(Model).Generate(request with { Seconds = loopSeconds, Fps = r.Fps }, firstPassProgress, cancellation);

        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int keep = latentFrames - blendLatentFrames;
        int headPixels = Model.Config.Vae.PixelFrames(keep);
        int wrapLatents = ConditioningFrames.FollowingLatents(headPixels, wrapLatentFrames, stride);
        // The end is regenerated after the head's last latent frames, encoded as the start of a clip the way extension
        // encodes its context; a short loop gives the whole head.
        int contextLatents = windowed ? Math.Min(keep, ClosingContextLatentFrames) : keep;
        int contextPixels = Model.Config.Vae.PixelFrames(contextLatents);
        var head = ConditioningFrames.Encode(Model, firstPass.Frames.Take(headPixels).Skip(headPixels - contextPixels).ToList(), cancellation);
        var wrap = ConditioningFrames.EncodeFollowing(Model, firstPass.Frames, wrapLatents, cancellation);
        int total = contextLatents + blendLatentFrames + wrapLatents;
        int s = Model.Config.Vae.SpatialCompression;
        var shape = new long[] { 1, Model.Config.Vae.LatentChannels, total, r.Height / s, r.Width / s };
        var latents = zeros(shape, dtype: Model.ComputeType, device: Model.Device);
        latents.narrow(2, 0, contextLatents).copy_(head);
        latents.narrow(2, total - wrapLatents, wrapLatents).copy_(wrap);
        var known = Enumerable.Range(0, total).Select(i => i < contextLatents || i >= total - wrapLatents).ToArray();

        using var text = TextConditioning.Encode(Model, r.Prompt, r.NegativePrompt, guided: r.Guidance > 1);
        // A windowed first pass used seeds up to seed + windows (fewer than its latent frames); the closing pass takes one past them.
        var noise = FlowSampler.Noise(windowed ? r.Seed + latentFrames + 1 : r.Seed + 1, shape, Model.Device, Model.ComputeType);
        using var closed = FlowSampler.Sample(Model, noise, text, r, new FlowSampler.Conditioning(latents, known), closingProgress, clock, cancellation);
        var decoded = TextToVideoPipeline.DecodeFrames(Model, closed, Model.Config.Vae.PixelFrames(total), closingProgress, clock, cancellation);
        // Frames of the kept head stay exactly as first generated; the regenerated end follows, up to the frame that stands
        // where frame 0 comes round again, which is dropped with the wrap. That frame is what the correction matches to frame 0.
        int endFrames = blendLatentFrames * stride - 1;
        var end = decoded.Skip(contextPixels).Take(endFrames).ToList();
        if (correctSeams)
            end = SeamCorrection.Apply(end, SeamCorrection.Residual(firstPass.Frames[headPixels - 1], decoded[contextPixels - 1]),
                SeamCorrection.Residual(firstPass.Frames[0], decoded[contextPixels + endFrames]), SeamCorrection.FadeFrames(stride));
        var frames = firstPass.Frames.Take(headPixels).Concat(end).ToList();
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        return new VideoResult(frames, PipelineMetadata.For(Model, r, frames.Count, clock));
    }

    public Task<VideoResult> GenerateAsync(VideoRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
        => GenerationThread.Run(() => Generate(request, progress, cancellation), cancellation);

    /// <summary>Latent frames of the head a long loop's closing pass sees before the regenerated end: as many as extension's context.</summary>
    internal const int ClosingContextLatentFrames = 4;
}
