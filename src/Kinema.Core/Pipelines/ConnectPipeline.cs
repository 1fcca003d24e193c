using System.Diagnostics;
using Kinema.Media;
using Kinema.Models;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>
/// A transition that starts where <see cref="First"/> ends and ends where <see cref="Second"/> begins, <c>Video.Seconds</c>
/// from the first clip's last frame to the second's first (rounded up to whole 4-frame latent steps; see
/// <see cref="ConnectPipeline.TransitionFrames"/>).
/// </summary>
public sealed record ConnectRequest
{
    /// <summary>The transition's prompt when the caller gives none (CLI and API).</summary>
    public const string DefaultPrompt = "a smooth transition";

    public required VideoRequest Video { get; init; }
    public required IReadOnlyList<RgbFrame> First { get; init; }
    public required IReadOnlyList<RgbFrame> Second { get; init; }
    /// <summary>The first clip's frame rate, which the transition and the result take.</summary>
    public double Fps { get; init; } = 8;
    /// <summary>The second clip's frame rate when it differs from <see cref="Fps"/>: its frames are re-timed to <see cref="Fps"/>, keeping its speed.</summary>
    public double? SecondFps { get; init; }
    /// <summary>Return only the generated transition instead of first + transition + second.</summary>
    public bool TransitionOnly { get; init; }
    public int ContextLatentFrames { get; init; } = 2;
    /// <summary>Match the transition to both clips at its seams (see <see cref="SeamCorrection"/>); off shows the raw decode.</summary>
    public bool CorrectSeams { get; init; } = true;
}

/// <summary>
/// Connects two clips: the end of the first becomes the clip's clean leading latents, the start of the
/// second its clean trailing latents, and the model fills the middle under the prompt.
/// </summary>
public sealed class ConnectPipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>
    /// The transition's frames for <paramref name="r"/>: the second clip starts its asked frame count after the first ends,
    /// rounded up to whole latent frames, so the transition between them is one frame less (1 s at 8 fps: 7 frames, the
    /// second clip's first frame 8 frames after the first clip's last).
    /// </summary>
    public static int TransitionFrames(ResolvedVideoRequest r, ModelConfig config) => FramesBetween(r.FrameCount, config.Vae) - 1;

    /// <summary>Frame steps from the first clip's last frame to the second's first: whole latent frames, at least one.</summary>
    private static int FramesBetween(int frames, VideoVaeConfig vae) => Math.Max(1, vae.LatentSteps(frames)) * vae.TemporalCompression;

    /// <summary>A long transition's last window, the one that leads into the second clip: a transition of the model's default length.</summary>
    private static int ClosingWindowFrames(ResolvedVideoRequest r, ModelConfig config)
        => FramesBetween((int)Math.Round(config.Defaults.Seconds * r.Fps), config.Vae) - 1;

    /// <summary>
    /// The frames the result will have: the transition, and unless <paramref name="transitionOnly"/> the first clip before it
    /// and the second, re-timed from <paramref name="secondFps"/> to the transition's rate, after it. Lets a server say how
    /// long a video will be before generating it.
    /// </summary>
    public static int ResultFrames(ResolvedVideoRequest r, ModelConfig config, int firstFrames, int secondFrames, double secondFps, bool transitionOnly)
    {
        int transition = TransitionFrames(r, config);
        return transitionOnly ? transition : firstFrames + transition + ConditioningFrames.RetimedCount(secondFrames, secondFps, r.Fps);
    }

    public VideoResult Generate(ConnectRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.First.Count == 0 || request.Second.Count == 0) throw new InvalidRequestException("both videos need at least one frame");
        if (request.ContextLatentFrames < 1) throw new InvalidRequestException("context must be at least one latent frame");
        int fps = ConditioningFrames.SourceFps(request.Fps, Model.Config, "the first video");
        // The second clip only has to have a frame rate: it is re-timed to the first's.
        var secondFrames = request.SecondFps is double secondFps
            ? double.IsFinite(secondFps) && secondFps > 0 ? ConditioningFrames.Retime(request.Second, secondFps, fps)
                : throw new InvalidRequestException($"the second video has no valid frame rate ({secondFps})")
            : request.Second;
        int stride = Model.Config.Vae.TemporalCompression;
        var (w, h) = ConditioningFrames.SizeFor(request.Video, request.First[0].Width, request.First[0].Height, Model.Config);
        var r = VideoRequestValidator.Resolve(request.Video with { Width = w, Height = h, Fps = fps }, Model.Config);
        var first = ConditioningFrames.Resize(request.First, r.Width, r.Height);
        var second = ConditioningFrames.Resize(secondFrames, r.Width, r.Height);
        int transitionFrames = TransitionFrames(r, Model.Config);
        if (StoryboardPipeline.NeedsWindows(r.Seconds, Model.Config) && transitionFrames > ClosingWindowFrames(r, Model.Config))
            return ConnectInWindows(request, r, transitionFrames, first, second, progress, cancellation);

        var clock = Stopwatch.StartNew();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int m = Math.Min((first.Count - 1) / stride, request.ContextLatentFrames - 1);
        var lead = ConditioningFrames.Encode(Model, first.Skip(first.Count - (1 + m * stride)).ToList(), cancellation);
        int tailLatents = ConditioningFrames.FollowingLatents(second.Count, request.ContextLatentFrames, stride);
        var tail = ConditioningFrames.EncodeFollowing(Model, second, tailLatents, cancellation);
        int leadLatents = (int)lead.shape[2];
        // The middle ends on a frame standing where the second clip's frame 0 is (see EncodeFollowing), dropped below.
        int middleLatents = (transitionFrames + 1) / stride;
        int total = leadLatents + middleLatents + tailLatents;
        int s = Model.Config.Vae.SpatialCompression;
        var shape = new long[] { 1, Model.Config.Vae.LatentChannels, total, r.Height / s, r.Width / s };
        var latents = zeros(shape, dtype: Model.ComputeType, device: Model.Device);
        latents.narrow(2, 0, leadLatents).copy_(lead);
        latents.narrow(2, total - tailLatents, tailLatents).copy_(tail);
        var known = Enumerable.Range(0, total).Select(i => i < leadLatents || i >= total - tailLatents).ToArray();

        progress?.Report(new GenerationProgress(GenerationStage.EncodingText, 0, 1, clock.Elapsed));
        using var text = TextConditioning.Encode(Model, r.Prompt, r.NegativePrompt, guided: r.Guidance > 1);
        var noise = FlowSampler.Noise(r.Seed, shape, Model.Device, Model.ComputeType);
        using var result = FlowSampler.Sample(Model, noise, text, r, new FlowSampler.Conditioning(latents, known), progress, clock, cancellation);
        var decoded = TextToVideoPipeline.DecodeFrames(Model, result, Model.Config.Vae.PixelFrames(total), progress, clock, cancellation);
        int leadPixels = Model.Config.Vae.PixelFrames(leadLatents);
        var transition = decoded.Skip(leadPixels).Take(transitionFrames).ToList();
        if (request.CorrectSeams)
            transition = SeamCorrection.Apply(transition, SeamCorrection.Residual(first[^1], decoded[leadPixels - 1]),
                SeamCorrection.Residual(second[0], decoded[leadPixels + transitionFrames]), SeamCorrection.FadeFrames(stride));
        List<RgbFrame> frames = request.TransitionOnly ? transition : [.. first, .. transition, .. second];
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        return new VideoResult(frames, PipelineMetadata.For(Model, r, frames.Count, clock));
    }

    /// <summary>
    /// A transition longer than twice the model's default length: all but its last default-length window extend the first
    /// clip window by window (<see cref="ExtendPipeline"/>), and the last window connects that extension to the second clip.
    /// </summary>
    private VideoResult ConnectInWindows(ConnectRequest request, ResolvedVideoRequest r, int transitionFrames, IReadOnlyList<RgbFrame> first, IReadOnlyList<RgbFrame> second,
        IProgress<GenerationProgress>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        double last = Model.Config.Defaults.Seconds;
        var sized = request.Video with { Width = r.Width, Height = r.Height, Fps = r.Fps };
        // The closing window rounds its frames up to the latent grid, so the extension takes what is left of the whole
        // transition's (at least one frame: Generate comes here only then) and the result is as long as TransitionFrames says.
        double leadSeconds = (double)(transitionFrames - ClosingWindowFrames(r, Model.Config)) / r.Fps;
        int leadWindows = StoryboardPipeline.NeedsWindows(leadSeconds, Model.Config) ? ExtendPipeline.WindowFrames(leadSeconds, r.Fps, Model.Config).Count : 1;
        // Every window runs the same steps, so the bar is leadWindows + 1 windows long: the extension's own progress fills
        // the first leadWindows of them, the closing window the last.
        IProgress<GenerationProgress>? leadProgress = progress is null ? null : new MappedProgress(progress, p => p.Stage switch
        {
            GenerationStage.Done => null,
            GenerationStage.Denoising => p with { TotalSteps = p.TotalSteps / (leadWindows > 1 ? leadWindows : 1) * (leadWindows + 1) },
            _ => p,
        });
        var lead = new ExtendPipeline(Model).Generate(new ExtendRequest
        {
            Video = sized with { Seconds = leadSeconds },
            Source = first,
            SourceFps = r.Fps,
            CorrectSeam = request.CorrectSeams,
        }, leadProgress, cancellation);
        var closing = Generate(request with
        {
            // The next seed after the extension's windows (ExtendPipeline gives window k seed + k).
            Video = sized with { Seconds = last, Seed = r.Seed + leadWindows },
            First = lead.Frames, Fps = r.Fps,
            Second = second, SecondFps = null,
            TransitionOnly = true,
        }, progress is null ? null : new WindowProgress(progress, leadWindows, leadWindows + 1), cancellation);
        var transition = lead.Frames.Skip(first.Count).Concat(closing.Frames).ToList();
        List<RgbFrame> frames = request.TransitionOnly ? transition : [.. first, .. transition, .. second];
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        return new VideoResult(frames, PipelineMetadata.For(Model, r, frames.Count, clock));
    }

    public Task<VideoResult> GenerateAsync(ConnectRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
        => GenerationThread.Run(() => Generate(request, progress, cancellation), cancellation);
}
