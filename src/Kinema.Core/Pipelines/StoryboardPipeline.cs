using Kinema.Runtime;
using Kinema.Media;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>One card of a storyboard: from <see cref="Start"/> seconds on, the video follows <see cref="Prompt"/>.</summary>
public sealed record StoryboardCard(double Start, string Prompt, RgbFrame? Image = null);

/// <summary>A storyboard (or a single long prompt): cards in time order and the total length.</summary>
public sealed record StoryboardRequest
{
    /// <summary>How long the last card runs when no total length is asked for (the CLI and the API use it).</summary>
    public const double DefaultLastCardSeconds = 4;

    public required IReadOnlyList<StoryboardCard> Cards { get; init; }
    public required double Seconds { get; init; }
    /// <summary>Settings shared by every window (size, fps, steps, guidance, seed, negative prompt); its prompt and seconds are ignored.</summary>
    public required VideoRequest Settings { get; init; }
    /// <summary>New seconds per window; null uses the model's default duration minus the context.</summary>
    public double? WindowSeconds { get; init; }
    /// <summary>Latent frames of already generated video each window sees (4 frames each).</summary>
    public int ContextLatentFrames { get; init; } = 2;
}

/// <summary>
/// Long videos and storyboards by windowed generation in latent space. The first window of a shot is
/// text-to-video (or image-to-video when its card has an image); every later window sees the last latent
/// frames generated so far as clean context, under the prompt of the card it falls in, so objects and
/// backgrounds carry over. The context stays in latent space: re-encoding decoded frames for every window
/// would pass the picture through the VAE once per window, and those round trips compound (eight round
/// trips of rendered clips took the judge's score from 100 to 29 on four scenes). Each shot's latents are decoded in one
/// causal pass at the end, so windows join without seams. A float32 latent frame of the toy preset takes a
/// sixth of the bytes of the four RGB frames it decodes to, so memory grows with the length only as the
/// output frames do.
/// Why windows rather than diffusion forcing: the model is trained with clean leading spans already
/// (extension), so windows need no extra training.
/// A card's prompt takes over at the first latent frame (4 frames) at or after its start.
/// </summary>
public sealed class StoryboardPipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>
    /// Whether a text- or image-to-video request this long should be generated in windows: the model trained on clips
    /// up to about its default duration, and one window of more than twice that leaves what it learned (and attention
    /// grows with the square of the length).
    /// </summary>
    public static bool NeedsWindows(double seconds, ModelConfig config) => seconds > 2 * config.Defaults.Seconds;

    public VideoResult Generate(StoryboardRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Cards.Count == 0) throw new InvalidRequestException("a storyboard needs at least one card");
        if (request.ContextLatentFrames < 1) throw new InvalidRequestException("context must be at least one latent frame");
        if (request.WindowSeconds is double asked && !(double.IsFinite(asked) && asked > 0))
            throw new InvalidRequestException($"window must be a number of seconds > 0, got {asked}");
        if (!double.IsFinite(request.Seconds) || request.Seconds <= 0 || request.Seconds > Model.Config.Limits.MaxSeconds)
            throw new InvalidRequestException($"seconds must be > 0 and at most {Model.Config.Limits.MaxSeconds} for this model, got {request.Seconds}");
        var cards = request.Cards.OrderBy(c => c.Start).ToList();
        if (cards[0].Start != 0) throw new InvalidRequestException($"the first card must start at 0 seconds, got {cards[0].Start}");
        if (cards.Any(c => string.IsNullOrWhiteSpace(c.Prompt))) throw new InvalidRequestException("every card needs a prompt");
        if (cards.Any(c => c.Start >= request.Seconds)) throw new InvalidRequestException($"every card must start before the end ({request.Seconds} s)");
        var sized = request.Settings;
        if (cards[0].Image is { } first)
        {
            // Like image-to-video: without a size asked for, the video takes the first image's (on the latent grid).
            var (w, h) = ConditioningFrames.SizeFor(sized, first.Width, first.Height, Model.Config);
            sized = sized with { Width = w, Height = h };
        }
        var settings = VideoRequestValidator.Resolve(sized with { Prompt = cards[0].Prompt, Seconds = request.Seconds }, Model.Config);
        int fps = settings.Fps, stride = Model.Config.Vae.TemporalCompression;
        int totalFrames = (int)Math.Round(request.Seconds * fps);
        int contextFrames = 1 + (request.ContextLatentFrames - 1) * stride;
        double windowSeconds = request.WindowSeconds ?? Math.Max(1.0, Model.Config.Defaults.Seconds - (double)contextFrames / fps);
        int windowLatents = Math.Max(1, (int)Math.Round(windowSeconds * fps) / stride);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var frames = new List<RgbFrame>(totalFrames);
        int s = Model.Config.Vae.SpatialCompression;
        // A shot overshoots its last card's end by less than one latent frame, so it never needs more than this.
        using var shot = new ShotLatents(new long[] { 1, Model.Config.Vae.LatentChannels, Model.Config.Vae.LatentFrames(totalFrames) + 1, settings.Height / s, settings.Width / s },
            Model.ComputeType, Model.Device);
        int shotStart = 0, window = 0;
        foreach (var (card, index) in cards.Select((c, i) => (c, i)))
        {
            int cardEnd = index + 1 < cards.Count ? (int)Math.Round(cards[index + 1].Start * fps) : totalFrames;
            if (card.Image is not null && shot.Count > 0)
            {
                DecodeShot(shot, frames, (int)Math.Round(card.Start * fps), progress, clock, cancellation);
                shotStart = frames.Count;
            }
            while (shot.Count == 0 || shotStart + Model.Config.Vae.PixelFrames(shot.Count) < cardEnd)
            {
                cancellation.ThrowIfCancellationRequested();
                int missing = cardEnd - shotStart - (shot.Count == 0 ? 0 : Model.Config.Vae.PixelFrames(shot.Count));
                // A shot's first window also makes the first latent frame, which stands for one frame, not four.
                int newLatents = shot.Count == 0
                    ? Math.Min(1 + windowLatents, Model.Config.Vae.LatentFrames(Math.Max(1, missing)))
                    : Math.Min(windowLatents, (missing + stride - 1) / stride);
                var windowRequest = request.Settings with { Prompt = card.Prompt, Fps = fps, Width = settings.Width, Height = settings.Height, Seed = request.Settings.Seed + window };
                GenerateWindow(windowRequest, shot, newLatents, request.ContextLatentFrames, shot.Count == 0 ? card.Image : null, cancellation);
                // glibc keeps the freed activations in heaps it seldom shrinks (see NativeHeap): untrimmed, resident memory
                // grew about 15 MiB a window (peak before decoding 671 MiB at 15 s, 862 MiB at 60 s; trimmed 515 and 523).
                NativeHeap.Trim();
                window++;
                progress?.Report(new GenerationProgress(GenerationStage.Denoising, Math.Min(totalFrames, shotStart + Model.Config.Vae.PixelFrames(shot.Count)), totalFrames, clock.Elapsed));
            }
        }
        DecodeShot(shot, frames, totalFrames, progress, clock, cancellation);
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        var resolved = settings with { Prompt = string.Join(" | ", cards.Select(c => c.Prompt)), Seconds = request.Seconds };
        return new VideoResult(frames, PipelineMetadata.For(Model, resolved, frames.Count, clock));
    }

    /// <summary>
    /// Appends one window's new latent frames to the shot: its first window starts from noise (or from
    /// <paramref name="image"/> as its clean first frame); a later one keeps the shot's last
    /// <paramref name="contextLatents"/> frames clean in front.
    /// </summary>
    private void GenerateWindow(VideoRequest request, ShotLatents shot, int newLatents, int contextLatents, RgbFrame? image, CancellationToken cancellation)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int context = Math.Min(contextLatents, shot.Count);
        int total = context + newLatents;
        var r = VideoRequestValidator.Resolve(request with { Seconds = (double)Model.Config.Vae.PixelFrames(total) / request.Fps!.Value }, Model.Config);
        int s = Model.Config.Vae.SpatialCompression;
        var shape = new long[] { 1, Model.Config.Vae.LatentChannels, total, r.Height / s, r.Width / s };
        FlowSampler.Conditioning? conditioning = null;
        if (context > 0 || image is not null)
        {
            var latents = zeros(shape, dtype: Model.ComputeType, device: Model.Device);
            var known = new bool[total];
            if (image is not null)
            {
                latents.narrow(2, 0, 1).copy_(ConditioningFrames.Encode(Model, ConditioningFrames.Resize([image], r.Width, r.Height), cancellation));
                known[0] = true;
            }
            if (context > 0) latents.narrow(2, 0, context).copy_(shot.Last(context));
            for (int i = 0; i < context; i++) known[i] = true;
            conditioning = new FlowSampler.Conditioning(latents, known);
        }
        using var text = TextConditioning.Encode(Model, r.Prompt, r.NegativePrompt, guided: r.Guidance > 1);
        var noise = FlowSampler.Noise(r.Seed, shape, Model.Device, Model.ComputeType);
        using var result = FlowSampler.Sample(Model, noise, text, r, conditioning, null, System.Diagnostics.Stopwatch.StartNew(), cancellation);
        shot.Append(result.narrow(2, context, newLatents));
    }

    /// <summary>Decodes a shot's latents in one causal pass, appends up to <paramref name="cardEnd"/> frames in all, and empties the shot.</summary>
    private void DecodeShot(ShotLatents shot, List<RgbFrame> frames, int cardEnd, IProgress<GenerationProgress>? progress, System.Diagnostics.Stopwatch clock, CancellationToken cancellation)
    {
        if (shot.Count == 0) return;
        using (var inference = inference_mode())
        using (var scope = NewDisposeScope())
        {
            var latents = shot.Last(shot.Count);
            int chunks = (shot.Count + TextToVideoPipeline.DecodeLatentFramesPerChunk - 1) / TextToVideoPipeline.DecodeLatentFramesPerChunk, done = 0;
            Model.Vae.DecodeChunked(latents, chunk =>
            {
                foreach (var frame in FrameConversion.ToFrames(chunk))
                    if (frames.Count < cardEnd) frames.Add(frame);
                NativeHeap.Trim();
                progress?.Report(new GenerationProgress(GenerationStage.Decoding, ++done, chunks, clock.Elapsed));
            }, TextToVideoPipeline.DecodeLatentFramesPerChunk, cancellation);
        }
        shot.Clear();
    }

    /// <summary>
    /// A shot's latent frames in one tensor allocated up front: windows append to it and read their context from it
    /// as views, and the decode reads it whole without a copy.
    /// </summary>
    private sealed class ShotLatents(long[] capacityShape, ScalarType dtype, Device device) : IDisposable
    {
        private readonly Tensor _buffer = empty(capacityShape, dtype: dtype, device: device).DetachFromDisposeScope();

        public int Count { get; private set; }

        /// <summary>The last <paramref name="frames"/> latent frames, as a view (no copy).</summary>
        public Tensor Last(int frames) => _buffer.narrow(2, Count - frames, frames);

        public void Append(Tensor latents)
        {
            int added = (int)latents.shape[2];
            if (Count + added > _buffer.shape[2]) throw new InvalidOperationException($"a shot outgrew its {_buffer.shape[2]} latent frames");
            _buffer.narrow(2, Count, added).copy_(latents);
            Count += added;
        }

        public void Clear() => Count = 0;

        public void Dispose() => _buffer.Dispose();
    }
}
