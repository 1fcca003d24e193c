using Kinema.Runtime;
using Kinema.Media;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Pipelines;

/// <summary>
/// Turns user-supplied pixels (images, clips) into clean latent frames the sampler keeps fixed. The VAE
/// takes 1 + 4k frames, so clips are padded by repeating their last frame; sizes are resampled to the
/// requested grid.
/// </summary>
public static class ConditioningFrames
{
    /// <summary>Bilinear resize of every frame (no-op when the size already matches).</summary>
    public static IReadOnlyList<RgbFrame> Resize(IReadOnlyList<RgbFrame> frames, int width, int height)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames given");
        if (frames.All(f => f.Width == width && f.Height == height)) return frames;
        using var scope = NewDisposeScope();
        using var video = FrameConversion.ToTensor(frames);                            // (1, 3, T, H, W)
        var perFrame = video[0].permute(1, 0, 2, 3);                                   // (T, 3, H, W)
        var resized = F.interpolate(perFrame, new long[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return FrameConversion.ToFrames(resized.permute(1, 0, 2, 3).unsqueeze(0).ClampTo(-1, 1));
    }

    /// <summary>Normalised latents (1, C, 1 + ceil((T−1)/4), h, w) of a clip, padding it to 1 + 4k frames with its last frame.</summary>
    public static Tensor Encode(KinemaModel model, IReadOnlyList<RgbFrame> frames, CancellationToken cancellation = default)
    {
        int stride = model.Config.Vae.TemporalCompression;
        int padded = 1 + (frames.Count - 1 + stride - 1) / stride * stride;
        var clip = frames.Concat(Enumerable.Repeat(frames[^1], padded - frames.Count)).ToList();
        using var scope = NewDisposeScope();
        var video = FrameConversion.ToTensor(clip).to(model.ComputeType).to(model.Device);
        return model.Vae.Encode(video, cancellation).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// How many latent frames of a clip of <paramref name="frameCount"/> frames <see cref="EncodeFollowing"/> gives: the
    /// <paramref name="asked"/> number, at most as many whole ones as follow its frame 0, at least one (a shorter clip is padded).
    /// </summary>
    public static int FollowingLatents(int frameCount, int asked, int stride) => Math.Max(1, Math.Min(asked, (frameCount - 1) / stride));

    /// <summary>
    /// Latents of a clip that generated frames lead into (a loop's start, a backward extension's source, a transition's
    /// second clip, an image a video ends on): its <paramref name="latentFrames"/> latent frames after frame 0, which stand for frames 1 … 4k as
    /// they are encoded in the clip itself. The generated latent frame before them ends on a frame standing where the
    /// clip's frame 0 is; dropping that frame puts the seam into frame 0 inside a latent frame, where the decoder steps
    /// least, instead of on a hand-over (docs/training.md, session 24). A clip shorter than 1 + 4k frames is padded with its last.
    /// </summary>
    public static Tensor EncodeFollowing(KinemaModel model, IReadOnlyList<RgbFrame> frames, int latentFrames, CancellationToken cancellation = default)
    {
        if (latentFrames < 1) throw new ArgumentOutOfRangeException(nameof(latentFrames), "at least one latent frame must follow");
        int stride = model.Config.Vae.TemporalCompression;
        var clip = frames.Take(1 + latentFrames * stride).ToList();
        clip.AddRange(Enumerable.Repeat(clip[^1], 1 + latentFrames * stride - clip.Count));
        using var scope = NewDisposeScope();
        return Encode(model, clip, cancellation).narrow(2, 1, latentFrames).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The whole frame rate a source clip is generated at: its own, rounded. A rate above the model's limit is refused
    /// by name, since the frames given must keep their timing.
    /// </summary>
    public static int SourceFps(double sourceFps, ModelConfig config, string which = "the source video")
    {
        if (!double.IsFinite(sourceFps) || sourceFps <= 0) throw new InvalidRequestException($"{which} has no valid frame rate ({sourceFps})");
        int max = config.Limits.MaxFps;
        if (sourceFps > max + 0.5)
            throw new InvalidRequestException($"{which} is {sourceFps:0.##} fps; this model generates at most {max} fps, so re-encode it at {max} fps or less first (for example: ffmpeg -i in.mp4 -vf fps={max} out.mp4)");
        return Math.Max(1, (int)Math.Round(sourceFps));
    }

    /// <summary>
    /// The frames of a clip shown at <paramref name="fromFps"/> re-timed to <paramref name="toFps"/> by taking, for each new
    /// frame, the source frame on screen at its middle: the clip keeps its duration and speed.
    /// </summary>
    public static IReadOnlyList<RgbFrame> Retime(IReadOnlyList<RgbFrame> frames, double fromFps, double toFps)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames given");
        if (!(fromFps > 0) || !(toFps > 0)) throw new ArgumentOutOfRangeException(nameof(toFps), $"frame rates must be > 0, got {fromFps} and {toFps}");
        if (Math.Abs(fromFps - toFps) < 1e-9) return frames;
        int count = RetimedCount(frames.Count, fromFps, toFps);
        return Enumerable.Range(0, count).Select(i => frames[Math.Min(frames.Count - 1, (int)Math.Floor((i + 0.5) * fromFps / toFps))]).ToList();
    }

    /// <summary>How many frames <see cref="Retime"/> gives for <paramref name="count"/> frames shown at <paramref name="fromFps"/>.</summary>
    public static int RetimedCount(int count, double fromFps, double toFps)
        => Math.Abs(fromFps - toFps) < 1e-9 ? count : Math.Max(1, (int)Math.Round(count * toFps / fromFps));

    /// <summary>Width and height for a source of the given size: the request's, else the source's rounded down to the grid.</summary>
    public static (int Width, int Height) SizeFor(VideoRequest request, int sourceWidth, int sourceHeight, ModelConfig config)
    {
        int m = config.SizeMultiple;
        int w = request.Width ?? Math.Max(m, Math.Min(sourceWidth, config.Limits.MaxWidth) / m * m);
        int h = request.Height ?? Math.Max(m, Math.Min(sourceHeight, config.Limits.MaxHeight) / m * m);
        return (w, h);
    }
}
