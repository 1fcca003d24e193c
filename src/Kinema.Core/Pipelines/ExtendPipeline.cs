using System.Diagnostics;
using Kinema.Media;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>
/// Extends <see cref="Source"/> by <c>Video.Seconds</c> new seconds, after it or (backward) before it. The result keeps the
/// source's frames as they are, at its own size, unless <c>Video</c> asks for another size.
/// </summary>
public sealed record ExtendRequest
{
    /// <summary>The prompt for the new part; <c>Seconds</c> is how much to add.</summary>
    public required VideoRequest Video { get; init; }
    public required IReadOnlyList<RgbFrame> Source { get; init; }
    public double SourceFps { get; init; } = 8;
    public bool Backward { get; init; }
    /// <summary>How many latent frames of the source the model sees as context (each is 4 frames).</summary>
    public int ContextLatentFrames { get; init; } = 4;
    /// <summary>Match the new frames to the source at the seam (see <see cref="SeamCorrection"/>); off shows the raw decode.</summary>
    public bool CorrectSeam { get; init; } = true;
}

/// <summary>
/// Extension: the source's frames nearest the new part become clean latent frames (timestep 0) and the
/// model generates the rest; the result is the source untouched plus the new frames, stitched.
/// </summary>
public sealed class ExtendPipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>
    /// Extends the source. More than twice the model's default length (<see cref="StoryboardPipeline.NeedsWindows"/>) is
    /// added one window of the default length at a time, each extending the result so far under the next seed, so no
    /// single window runs longer than the clips the model learned from.
    /// </summary>
    public VideoResult Generate(ExtendRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Source.Count == 0) throw new InvalidRequestException("the source video has no frames");
        if (request.ContextLatentFrames < 1) throw new InvalidRequestException("context must be at least one latent frame");
        double seconds = request.Video.Seconds ?? Model.Config.Defaults.Seconds;
        if (!StoryboardPipeline.NeedsWindows(seconds, Model.Config)) return GenerateWindow(request, progress, cancellation);

        // Validates the whole request up front, so a bad one fails before the first window runs.
        int fps = ConditioningFrames.SourceFps(request.SourceFps, Model.Config);
        VideoRequestValidator.Resolve(request.Video with { Fps = fps }, Model.Config);
        var parts = WindowFrames(seconds, fps, Model.Config);
        int windows = parts.Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        VideoResult? result = null;
        for (int k = 0; k < windows; k++)
        {
            var partRequest = request with
            {
                Source = result?.Frames ?? request.Source,
                Video = request.Video with { Seconds = (double)parts[k] / fps, Seed = request.Video.Seed + k },
            };
            var partProgress = progress is null ? null : new WindowProgress(progress, k, windows);
            result = GenerateWindow(partRequest, partProgress, cancellation);
        }
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        var metadata = result!.Metadata;
        return result with { Metadata = metadata with { Seed = request.Video.Seed, ElapsedSeconds = clock.Elapsed.TotalSeconds } };
    }

    /// <summary>
    /// New frames per window of a long extension: the model's default length each, and a remainder shorter than one
    /// latent frame joins the last window rather than becoming a window of (nearly) no frames.
    /// </summary>
    internal static IReadOnlyList<int> WindowFrames(double seconds, int fps, ModelConfig config)
    {
        int total = (int)Math.Round(seconds * fps);
        int perWindow = Math.Max(1, (int)Math.Round(config.Defaults.Seconds * fps));
        int stride = config.Vae.TemporalCompression;
        var parts = new List<int>();
        for (int done = 0; done < total;)
        {
            int take = Math.Min(perWindow, total - done);
            if (total - done - take < stride) take = total - done;
            parts.Add(take);
            done += take;
        }
        return parts;
    }

    private VideoResult GenerateWindow(ExtendRequest request, IProgress<GenerationProgress>? progress, CancellationToken cancellation)
    {
        int fps = ConditioningFrames.SourceFps(request.SourceFps, Model.Config);
        int stride = Model.Config.Vae.TemporalCompression;
        var (w, h) = ConditioningFrames.SizeFor(request.Video, request.Source[0].Width, request.Source[0].Height, Model.Config);
        var r = VideoRequestValidator.Resolve(request.Video with { Width = w, Height = h, Fps = fps }, Model.Config);
        int newFrames = r.FrameCount;
        // Off the model's grid the model works at the nearest grid size; the new frames are scaled back to the
        // source's size so that the source itself goes into the result untouched. Only the frames the model sees as
        // context are then scaled to its size, so a long extension does not rescale the whole video every window.
        bool keepSourceSize = request.Video.Width is null && request.Video.Height is null;
        int contextSpan = request.Backward ? 1 + request.ContextLatentFrames * stride : 1 + (request.ContextLatentFrames - 1) * stride;
        var seen = !keepSourceSize ? request.Source
            : request.Backward ? request.Source.Take(contextSpan).ToList() : request.Source.Skip(Math.Max(0, request.Source.Count - contextSpan)).ToList();
        var source = ConditioningFrames.Resize(seen, r.Width, r.Height);
        var (outputWidth, outputHeight) = keepSourceSize ? (request.Source[0].Width, request.Source[0].Height) : (r.Width, r.Height);
        var original = keepSourceSize ? request.Source : source;

        var clock = Stopwatch.StartNew();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        Tensor context;
        int contextLatents;
        if (!request.Backward)
        {
            // The last 1 + 4m source frames, encoded as the start of a clip.
            int m = Math.Min((source.Count - 1) / stride, request.ContextLatentFrames - 1);
            context = ConditioningFrames.Encode(Model, source.Skip(source.Count - (1 + m * stride)).ToList(), cancellation);
            contextLatents = 1 + m;
        }
        else
        {
            // The source's latent frames after its frame 0 sit at the end of the clip (ConditioningFrames.EncodeFollowing).
            contextLatents = ConditioningFrames.FollowingLatents(source.Count, request.ContextLatentFrames, stride);
            context = ConditioningFrames.EncodeFollowing(Model, source, contextLatents, cancellation);
        }
        // Backward, the generated frames end on one that stands where the source's frame 0 is, so one more is made.
        int newLatents = (request.Backward ? 1 : 0) + Model.Config.Vae.LatentSteps(newFrames);
        int total = contextLatents + newLatents;
        int s = Model.Config.Vae.SpatialCompression;
        var shape = new long[] { 1, Model.Config.Vae.LatentChannels, total, r.Height / s, r.Width / s };
        var latents = zeros(shape, dtype: Model.ComputeType, device: Model.Device);
        var known = new bool[total];
        int offset = request.Backward ? newLatents : 0;
        latents.narrow(2, offset, contextLatents).copy_(context);
        for (int i = 0; i < contextLatents; i++) known[offset + i] = true;

        progress?.Report(new GenerationProgress(GenerationStage.EncodingText, 0, 1, clock.Elapsed));
        using var text = TextConditioning.Encode(Model, r.Prompt, r.NegativePrompt, guided: r.Guidance > 1);
        var noise = FlowSampler.Noise(r.Seed, shape, Model.Device, Model.ComputeType);
        using var result = FlowSampler.Sample(Model, noise, text, r, new FlowSampler.Conditioning(latents, known), progress, clock, cancellation);
        var decoded = TextToVideoPipeline.DecodeFrames(Model, result, Model.Config.Vae.PixelFrames(total), progress, clock, cancellation);

        List<Kinema.Media.RgbFrame> stitched;
        if (!request.Backward)
        {
            int contextPixels = Model.Config.Vae.PixelFrames(contextLatents);
            var added = decoded.Skip(contextPixels).Take(newFrames).ToList();
            if (request.CorrectSeam)
                added = SeamCorrection.Apply(added, SeamCorrection.Residual(source[^1], decoded[contextPixels - 1]), null, SeamCorrection.FadeFrames(stride));
            stitched = [.. original, .. ConditioningFrames.Resize(added, outputWidth, outputHeight)];
        }
        else
        {
            // The last generated frame stands where the source's frame 0 is: the correction matches it to frame 0, and it is dropped.
            int generated = Model.Config.Vae.PixelFrames(newLatents) - 1;
            var added = decoded.Take(generated).Skip(generated - newFrames).ToList();
            if (request.CorrectSeam)
                added = SeamCorrection.Apply(added, null, SeamCorrection.Residual(source[0], decoded[generated]), SeamCorrection.FadeFrames(stride));
            stitched = [.. ConditioningFrames.Resize(added, outputWidth, outputHeight), .. original];
        }
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        return new VideoResult(stitched, PipelineMetadata.For(Model, r with { Width = outputWidth, Height = outputHeight }, stitched.Count, clock));
    }

    public Task<VideoResult> GenerateAsync(ExtendRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
        => GenerationThread.Run(() => Generate(request, progress, cancellation), cancellation);
}
