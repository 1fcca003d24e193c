using System.Diagnostics;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Wan.Schedulers;
using Kinema.Wan.Vae;
using static TorchSharp.torch;

namespace Kinema.Wan.Pipelines;

/// <summary>
/// Prompt → video with a Wan folder, as diffusers' <c>WanPipeline</c> does it: (1) umT5-encode the prompt and the
/// negative prompt, then free the encoder; (2) load the transformer and denoise CPU-seeded latent noise with UniPC and
/// classifier-free guidance (two batch-1 passes per step, as the reference); free it; (3) load the VAE, denormalise
/// the latents and decode them one latent frame at a time. Wan 2.2 TI2V folders (<c>expand_timesteps</c>) get a
/// timestep per token and, given a first frame, keep its latent clean with t = 0 on its tokens.
/// </summary>
public sealed class WanPipeline(WanModel model)
{
    public WanModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Generates on the calling thread. Same request and seed on the same machine → identical frames.</summary>
    /// <param name="firstFrame">Wan 2.2 TI2V only: the image the video starts from, at the request's size.</param>
    /// <exception cref="InvalidRequestException">the request does not fit the folder; the message says why.</exception>
    /// <exception cref="OperationCanceledException">cancellation was requested.</exception>
    public VideoResult Generate(VideoRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default,
        RgbFrame? firstFrame = null)
    {
        var r = WanRequestValidator.Resolve(request, Model);
        if (firstFrame is not null) CheckFirstFrame(firstFrame, r);
        var clock = Stopwatch.StartNew();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();

        progress?.Report(new GenerationProgress(GenerationStage.EncodingText, 0, 1, clock.Elapsed));
        var (context, negativeContext) = EncodePrompts(r);
        cancellation.ThrowIfCancellationRequested();

        long latentFrames = (r.Frames - 1) / Model.FrameStride + 1;
        int s = Model.VaeConfig.SpatialCompression;
        var shape = new long[] { 1, Model.VaeConfig.ZDim, latentFrames, r.Height / s, r.Width / s };
        var noise = FlowSampler.Noise(r.Seed, shape, Model.Device, ScalarType.Float32);
        var clean = firstFrame is null ? null : EncodeFirstFrame(firstFrame);
        var latents = Denoise(noise, clean, context, negativeContext, r, progress, clock, cancellation);

        var frames = Decode(latents, r.Frames, progress, clock, cancellation);
        progress?.Report(new GenerationProgress(GenerationStage.Done, 1, 1, clock.Elapsed));
        var metadata = new GenerationMetadata(Model.Name, r.Prompt, r.NegativePrompt, r.Seed, r.Steps, r.Guidance, "unipc", r.Shift,
            (double)frames.Count / r.Fps, r.Fps, r.Width, r.Height, frames.Count, [], clock.Elapsed.TotalSeconds);
        return new VideoResult(frames, metadata);
    }

    /// <summary>
    /// Generates on a dedicated thread: TorchSharp's dispose scopes and inference mode are thread-local, so a
    /// generation must not hop threads at an await.
    /// </summary>
    public Task<VideoResult> GenerateAsync(VideoRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default,
        RgbFrame? firstFrame = null)
        => GenerationThread.Run(() => Generate(request, progress, cancellation, firstFrame), cancellation);

    // (1, 512, text_dim) contexts in Float32 on the device; the encoder is freed before anything else is loaded.
    private (Tensor Context, Tensor? Negative) EncodePrompts(WanResolvedRequest r)
    {
        using var encoder = Model.Folder.LoadTextEncoder(Model.TextEncoderType, Model.Device);
        // Encoded one prompt at a time, as the reference does: a batch would pad both to the longer one anyway.
        var context = encoder.Encode([r.Prompt], ScalarType.Float32);
        var negative = r.Guided ? encoder.Encode([r.NegativePrompt], ScalarType.Float32) : null;
        return (context, negative);
    }

    private Tensor Denoise(Tensor noise, Tensor? clean, Tensor context, Tensor? negativeContext, WanResolvedRequest r,
        IProgress<GenerationProgress>? progress, Stopwatch clock, CancellationToken cancellation)
    {
        using var transformer = Model.Folder.LoadTransformer(Model.ComputeType, Model.Device, Model.Options.BlockOffload);
        using var scheduler = new UniPCMultistepScheduler(Model.SchedulerConfig);
        return WanDenoiser.Denoise(transformer, scheduler, noise, context, negativeContext, r.Steps, r.Guidance, r.Shift,
            Model.ExpandTimesteps, clean,
            (i, _) => progress?.Report(new GenerationProgress(GenerationStage.Denoising, i + 1, r.Steps, clock.Elapsed)),
            cancellation);
    }

    private Tensor EncodeFirstFrame(RgbFrame image)
    {
        using var vae = Model.Folder.LoadVae(ScalarType.Float32, Model.Device);
        return FirstFrameLatent(vae, image, Model.Device);
    }

    /// <summary>
    /// diffusers' <c>WanImageToVideoPipeline.prepare_latents</c> with <c>expand_timesteps</c>: the image in [-1, 1] as a
    /// one-frame video, the posterior mean of its encoding, normalised with the VAE's latent statistics.
    /// </summary>
    /// <param name="device">Where the VAE's weights are.</param>
    /// <returns>(1, z, 1, h, w) Float32 on <paramref name="device"/>.</returns>
    internal static Tensor FirstFrameLatent(AutoencoderKLWan vae, RgbFrame image, Device device)
    {
        var video = FrameConversion.ToTensor([image]).to(device);                        // (1, 3, 1, H, W) in [-1, 1]
        return vae.NormalizeLatents(vae.EncodeMean(video));
    }

    private void CheckFirstFrame(RgbFrame image, WanResolvedRequest r)
    {
        if (!Model.ExpandTimesteps)
            throw new InvalidRequestException("a first frame needs a Wan 2.2 TI2V folder (expand_timesteps); this folder is text-to-video only");
        if (image.Width != r.Width || image.Height != r.Height)
            throw new InvalidRequestException($"the first frame is {image.Width}x{image.Height} but the video is {r.Width}x{r.Height}; resize it first");
    }

    private List<RgbFrame> Decode(Tensor latents, int frameCount, IProgress<GenerationProgress>? progress, Stopwatch clock, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        using var vae = Model.Folder.LoadVae(ScalarType.Float32, Model.Device);
        int total = (int)latents.shape[2];
        var video = vae.Decode(vae.DenormalizeLatents(latents), (i, _) =>
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report(new GenerationProgress(GenerationStage.Decoding, i + 1, total, clock.Elapsed));
        }, Model.Options.VaeTiling);
        var frames = FrameConversion.ToFrames(video);
        return frames.Count > frameCount ? frames.GetRange(0, frameCount) : frames;
    }
}
