using Kinema.Media;

namespace Kinema.Pipelines;

/// <summary>One card of a storyboard: from <see cref="Start"/> seconds on, the video follows <see cref="Prompt"/>.</summary>
public sealed record StoryboardCard(double Start, string Prompt, RgbFrame? Image = null);

/// <summary>A storyboard (or a single long prompt): cards in time order and the total length.</summary>
public sealed record StoryboardRequest
{
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
/// Long videos and storyboards by windowed generation: the first window is text-to-video (or
/// image-to-video when its card has an image); every later window is an extension that sees the last
/// frames generated so far as clean context, under the prompt of the card it falls in, so objects and
/// backgrounds carry over. Only the context travels between windows, so memory does not grow with the
/// length beyond the output frames. A later card with an image starts a new shot from that image.
/// Why windows rather than diffusion forcing: the model is trained with clean leading spans already
/// (extension), so windows need no extra training and reuse one tested code path.
/// </summary>
public sealed class StoryboardPipeline(KinemaModel model)
{
    public KinemaModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public VideoResult Generate(StoryboardRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Cards.Count == 0) throw new InvalidRequestException("a storyboard needs at least one card");
        if (request.ContextLatentFrames < 1) throw new InvalidRequestException("context must be at least one latent frame");
        if (!double.IsFinite(request.Seconds) || request.Seconds <= 0 || request.Seconds > Model.Config.Limits.MaxSeconds)
            throw new InvalidRequestException($"seconds must be > 0 and at most {Model.Config.Limits.MaxSeconds} for this model, got {request.Seconds}");
        var cards = request.Cards.OrderBy(c => c.Start).ToList();
        if (cards[0].Start != 0) throw new InvalidRequestException($"the first card must start at 0 seconds, got {cards[0].Start}");
        if (cards.Any(c => string.IsNullOrWhiteSpace(c.Prompt))) throw new InvalidRequestException("every card needs a prompt");
        if (cards.Any(c => c.Start >= request.Seconds)) throw new InvalidRequestException($"every card must start before the end ({request.Seconds} s)");
        var settings = VideoRequestValidator.Resolve(request.Settings with { Prompt = cards[0].Prompt, Seconds = request.Seconds }, Model.Config);
        int fps = settings.Fps, stride = Model.Config.Vae.TemporalCompression;
        int totalFrames = (int)Math.Round(request.Seconds * fps);
        int contextFrames = 1 + (request.ContextLatentFrames - 1) * stride;
        double windowSeconds = request.WindowSeconds ?? Math.Max(1.0, Model.Config.Defaults.Seconds - (double)contextFrames / fps);
        int windowFrames = Math.Max(stride, (int)Math.Round(windowSeconds * fps) / stride * stride);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var frames = new List<RgbFrame>(totalFrames);
        int window = 0;
        foreach (var (card, index) in cards.Select((c, i) => (c, i)))
        {
            int cardEnd = index + 1 < cards.Count ? (int)Math.Round(cards[index + 1].Start * fps) : totalFrames;
            bool newShot = frames.Count == 0 || card.Image is not null;
            while (frames.Count < cardEnd)
            {
                cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(windowFrames, cardEnd - frames.Count);
                var windowRequest = request.Settings with { Prompt = card.Prompt, Seconds = (double)count / fps, Fps = fps, Width = settings.Width, Height = settings.Height, Seed = request.Settings.Seed + window };
                IReadOnlyList<RgbFrame> added;
                if (newShot && card.Image is not null)
                    added = new AnimatePipeline(Model).Generate(new AnimateRequest { Video = windowRequest, FirstFrame = card.Image }, null, cancellation).Frames;
                else if (newShot)
                    added = new TextToVideoPipeline(Model).Generate(windowRequest, null, cancellation).Frames;
                else
                {
                    var context = frames.Skip(Math.Max(0, frames.Count - contextFrames)).ToList();
                    var extended = new ExtendPipeline(Model).Generate(new ExtendRequest
                    {
                        Video = windowRequest, Source = context, SourceFps = fps, ContextLatentFrames = request.ContextLatentFrames,
                    }, null, cancellation);
                    added = extended.Frames.Skip(context.Count).ToList();
                }
                frames.AddRange(added.Take(cardEnd - frames.Count));
                newShot = false;
                window++;
                progress?.Report(new GenerationProgress(GenerationStage.Denoising, frames.Count, totalFrames, clock.Elapsed));
            }
        }
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        var resolved = settings with { Prompt = string.Join(" | ", cards.Select(c => c.Prompt)), Seconds = request.Seconds };
        return new VideoResult(frames, PipelineMetadata.For(Model, resolved, frames.Count, clock));
    }
}
