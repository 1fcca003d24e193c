using Kinema.Runtime;
using System.Diagnostics;
using Kinema.Media;
using Kinema.Schedulers;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>Video-to-video: re-imagine <see cref="Source"/> under a new prompt.</summary>
public sealed record EditRequest
{
    /// <summary>The new prompt and settings; seconds and fps come from the source.</summary>
    public required VideoRequest Video { get; init; }
    public required IReadOnlyList<RgbFrame> Source { get; init; }
    public double SourceFps { get; init; } = 8;
    /// <summary>What the CLI and the API use when no strength is asked for.</summary>
    public const double DefaultStrength = 0.6;

    /// <summary>Noise level in (0, 1]: low keeps the source's motion and layout, 1 ignores the source.</summary>
    public double Strength { get; init; } = DefaultStrength;
    /// <summary>For a source edited window by window: latent frames of the already edited part each later window starts from.</summary>
    public int ContextLatentFrames { get; init; } = 2;
}

/// <summary>
/// SDEdit for rectified flow: encode the source, move it to noise level σ = strength along the straight
/// path x_σ = (1 − σ)·x₀ + σ·ε, then denoise from σ under the new prompt.
/// </summary>
public sealed class EditPipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public VideoResult Generate(EditRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Source.Count == 0) throw new InvalidRequestException("the source video has no frames");
        if (!(request.Strength > 0 && request.Strength <= 1)) throw new InvalidRequestException($"strength must be in (0, 1], got {request.Strength}");
        int fps = ConditioningFrames.SourceFps(request.SourceFps, Model.Config);
        var (w, h) = ConditioningFrames.SizeFor(request.Video, request.Source[0].Width, request.Source[0].Height, Model.Config);
        var r = VideoRequestValidator.Resolve(request.Video with { Width = w, Height = h, Fps = fps, Seconds = (double)request.Source.Count / fps }, Model.Config);

        var clock = Stopwatch.StartNew();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var clean = ConditioningFrames.Encode(Model, ConditioningFrames.Resize(request.Source, r.Width, r.Height), cancellation);
        var noise = FlowSampler.Noise(r.Seed, clean.shape, Model.Device, Model.ComputeType);
        double sigma = request.Strength;
        var start = clean.Times(1 - sigma).Plus(noise.Times(sigma));

        // Schedule levels are shifted; pick the unshifted start whose shifted value is exactly σ.
        double unshifted = sigma / (r.Shift - (r.Shift - 1) * sigma);
        int steps = Math.Max(1, (int)Math.Ceiling(r.Steps * sigma));
        progress?.Report(new GenerationProgress(GenerationStage.EncodingText, 0, 1, clock.Elapsed));
        using var text = TextConditioning.Encode(Model, r.Prompt, r.NegativePrompt, guided: r.Guidance > 1);
        using var result = StoryboardPipeline.NeedsWindows(r.Seconds, Model.Config)
            ? DenoiseInWindows(start, text, r, steps, unshifted, request.ContextLatentFrames, progress, clock, cancellation)
            : FlowSampler.Sample(Model, start, text, r, null, progress, clock, cancellation, steps, startSigma: unshifted);
        var frames = TextToVideoPipeline.DecodeFrames(Model, result, request.Source.Count, progress, clock, cancellation);
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        return new VideoResult(frames, PipelineMetadata.For(Model, r with { Steps = steps }, frames.Count, clock));
    }

    /// <summary>
    /// A source longer than twice the model's default length is denoised one default-length window of latent frames at
    /// a time: each window after the first starts with the last <paramref name="contextLatents"/> latent frames already
    /// edited, given clean, so the windows join the way a long generation's do.
    /// </summary>
    private Tensor DenoiseInWindows(Tensor start, TextConditioning text, ResolvedVideoRequest r, int steps, double unshifted, int contextLatents,
        IProgress<GenerationProgress>? progress, Stopwatch clock, CancellationToken cancellation)
    {
        long total = start.shape[2];
        if (contextLatents < 1) throw new InvalidRequestException($"context must be at least one latent frame, got {contextLatents}");
        // At a low frame rate the default length is only a latent frame or two; every window still adds one.
        int window = Math.Max(2, Model.Config.Vae.LatentFrames((int)Math.Round(Model.Config.Defaults.Seconds * r.Fps)));
        contextLatents = Math.Min(contextLatents, window - 1);
        var starts = new List<long> { 0 };
        while (starts[^1] + window < total) starts.Add(starts[^1] + window - contextLatents);
        for (int k = 0; k < starts.Count; k++)
        {
            using var scope = NewDisposeScope();
            long from = starts[k], length = Math.Min(window, total - from);
            var known = Enumerable.Range(0, (int)length).Select(i => k > 0 && i < contextLatents).ToArray();
            var part = start.narrow(2, from, length);   // denoised in place, so the next window sees it as context
            var conditioning = k == 0 ? null : new FlowSampler.Conditioning(part.clone(), known);
            var windowProgress = progress is null ? null : new WindowProgress(progress, k, starts.Count);
            // Each window draws a stochastic solver's fresh noise under its own seed, as windowed generation does.
            var windowRequest = k == 0 ? r : r with { Seed = r.Seed + k };
            // The sampler copies its start and hands back a tensor outside every dispose scope.
            using var denoised = FlowSampler.Sample(Model, part, text, windowRequest, conditioning, windowProgress, clock, cancellation, steps, startSigma: unshifted);
            part.copy_(denoised);
            NativeHeap.Trim();
        }
        return start;
    }

    public Task<VideoResult> GenerateAsync(EditRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
        => GenerationThread.Run(() => Generate(request, progress, cancellation), cancellation);
}
