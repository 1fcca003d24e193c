using Kinema.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Models;

// The video compression network: a causal 3D-convolutional VAE in the style of Wan 2.1's.
// Causality (no frame sees a later one) is what lets the first frame be encoded on its own
// and lets encoding/decoding run chunk by chunk with a small cache, in memory independent of length.

/// <summary>3D convolution padded only on the past side in time; carries its last frames between chunks.</summary>
public sealed class CausalConv3d : nn.Module<Tensor, CausalCache, Tensor>
{
    private readonly Conv3d conv;
    private readonly long _pastFrames;

    public CausalConv3d(long inChannels, long outChannels, long temporalKernel = 3, long spatialKernel = 3)
        : base(nameof(CausalConv3d))
    {
        _pastFrames = temporalKernel - 1;
        conv = nn.Conv3d(inChannels, outChannels, (temporalKernel, spatialKernel, spatialKernel),
            padding: (0, spatialKernel / 2, spatialKernel / 2));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, CausalCache cache)
    {
        if (_pastFrames == 0) return conv.forward(x);
        using var scope = NewDisposeScope();
        var cached = cache.Get(this);
        var past = cached ?? zeros(new[] { x.shape[0], x.shape[1], _pastFrames, x.shape[3], x.shape[4] }, dtype: x.dtype, device: x.device);
        var padded = cat(new[] { past, x }, 2);                                  // (B, C, past + T, H, W)
        cache.Set(this, padded.narrow(2, padded.shape[2] - _pastFrames, _pastFrames));
        cache.MarkStarted(this);
        // A lone first frame sees only zero padding in the past, so only the kernel's last temporal tap
        // contributes: the same result at a third of the cost (every image, every first chunk).
        if (cached is null && x.shape[2] == 1)
            return F.conv3d(x, conv.weight!.narrow(2, _pastFrames, 1), conv.bias, padding: conv.padding).MoveToOuterDisposeScope();
        if (BatchSingleClipWindows && TakesSlowCpuPath(padded)) return ConvolveWindowsAsBatch(padded).MoveToOuterDisposeScope();
        return conv.forward(padded).MoveToOuterDisposeScope();                  // (B, C', T, H, W)
    }

    /// <summary>
    /// A single clip's convolution with each output frame's window of input frames as its own batch item. libtorch's CPU
    /// convolution takes oneDNN only for a batch above 1 or a large enough input (a rule made for 2D images, which
    /// counts channels, frames and rows but not columns), and its fallback is 4-12x slower on the chunks a causal VAE
    /// codes; every generation decodes, and every image or video given as conditioning encodes, one clip.
    /// </summary>
    /// <summary>Off only for the generate benchmark's peer: libtorch's own choice of path for every convolution.</summary>
    internal static bool BatchSingleClipWindows { get; set; } = true;

    /// <summary>One clip, more than one output frame, and small enough that libtorch would convolve it natively.</summary>
    internal bool TakesSlowCpuPath(Tensor padded) =>
        padded.device_type == DeviceType.CPU && padded.shape[0] == 1 && padded.shape[2] - _pastFrames > 1
        && padded.shape[1] * padded.shape[2] * padded.shape[3] <= NativeConvolutionLimit;

    /// <summary>libtorch (ConvUtils.h, <c>use_mkldnn</c>): below this product of batch, channels, frames and rows a 3x3 kernel runs natively.</summary>
    private const long NativeConvolutionLimit = 20480;

    internal Tensor ConvolveWindowsAsBatch(Tensor padded)
    {
        long channels = padded.shape[1], frames = padded.shape[2] - _pastFrames, height = padded.shape[3], width = padded.shape[4];
        var windows = padded.unfold(2, _pastFrames + 1, 1)                        // (1, C, T, H, W, k)
            .permute(0, 2, 1, 5, 3, 4).reshape(frames, channels, _pastFrames + 1, height, width);
        var output = conv.forward(windows);                                       // (T, C', 1, H', W')
        return output.squeeze(2).unsqueeze(0).transpose(1, 2).contiguous();       // (1, C', T, H', W')
    }

    internal Tensor Bias => conv.bias!;

    /// <summary>Zeroes the taps that see earlier frames, so the convolution treats every frame as an image.</summary>
    internal void ZeroPastTaps()
    {
        using var noGrad = no_grad();
        if (_pastFrames > 0) conv.weight!.narrow(2, 0, _pastFrames).zero_();
    }

    internal void ZeroAll()
    {
        using var noGrad = no_grad();
        conv.weight!.zero_();
        conv.bias!.zero_();
    }
}

/// <summary>Pre-norm residual block of two causal 3x3x3 convolutions.</summary>
public sealed class CausalResidualBlock : nn.Module<Tensor, CausalCache, Tensor>
{
    private readonly FrameLayerNorm norm1;
    private readonly CausalConv3d conv1;
    private readonly FrameLayerNorm norm2;
    private readonly CausalConv3d conv2;
    private readonly Conv3d? shortcut;

    public CausalResidualBlock(long inChannels, long outChannels) : base(nameof(CausalResidualBlock))
    {
        norm1 = new FrameLayerNorm(inChannels);
        conv1 = new CausalConv3d(inChannels, outChannels);
        norm2 = new FrameLayerNorm(outChannels);
        conv2 = new CausalConv3d(outChannels, outChannels);
        shortcut = inChannels == outChannels ? null : nn.Conv3d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, CausalCache cache)
    {
        using var scope = NewDisposeScope();
        var h = conv1.forward(F.silu(norm1.forward(x)), cache);
        h = conv2.forward(F.silu(norm2.forward(h)), cache);
        var skip = shortcut is null ? x : shortcut.forward(x);
        return skip.Plus(h).MoveToOuterDisposeScope();
    }
}

/// <summary>Halves height and width (per frame) and, optionally, time: frame 0 stays alone, then pairs.</summary>
public sealed class VideoDownsample : nn.Module<Tensor, CausalCache, Tensor>
{
    private readonly Conv3d spatial;
    private readonly Conv3d? temporal;
    private readonly bool _shortcut;

    public VideoDownsample(long channels, bool halveTime, bool shortcut = false) : base(nameof(VideoDownsample))
    {
        _shortcut = shortcut;
        spatial = nn.Conv3d(channels, channels, (1, 3, 3), stride: (1, 2, 2));
        temporal = halveTime ? nn.Conv3d(channels, channels, (3, 1, 1), stride: (2, 1, 1)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, CausalCache cache)
    {
        using var scope = NewDisposeScope();
        var h = spatial.forward(F.pad(x, new long[] { 0, 1, 0, 1, 0, 0 }));    // (B, C, T, H/2, W/2)
        if (_shortcut) h = h.Plus(F.avg_pool3d(x, new long[] { 1, 2, 2 }, new long[] { 1, 2, 2 }));
        if (temporal is null) return h.MoveToOuterDisposeScope();
        long t = h.shape[2];
        Tensor result;
        if (cache.IsStart(this))
        {
            // Frame 0 passes through on its own; frames (2j-2, 2j-1, 2j) make latent frame j.
            if ((t - 1) % 2 != 0) throw new ArgumentException($"a first temporal chunk must have an odd frame count (1 + 2k), got {t}");
            result = t == 1 ? h.alias() : cat(new[] { h.narrow(2, 0, 1), HalveTime(temporal.forward(h), h.narrow(2, 1, t - 1)) }, 2);
        }
        else
        {
            if (t % 2 != 0) throw new ArgumentException($"a continuing temporal chunk must have an even frame count, got {t}");
            result = HalveTime(temporal.forward(cat(new[] { cache.Get(this)!, h }, 2)), h);
        }
        cache.Set(this, h.narrow(2, t - 1, 1));
        cache.MarkStarted(this);
        return result.MoveToOuterDisposeScope();                                // (B, C, 1 + (T-1)/2 or T/2, H/2, W/2)
    }

    /// <summary>Zeroes the learned temporal halving, leaving the shortcut's pair means.</summary>
    internal void ZeroTemporal()
    {
        if (temporal is null) return;
        using var noGrad = no_grad();
        temporal.weight!.zero_();
        temporal.bias!.zero_();
    }

    /// <summary>The temporal convolution's output plus, with shortcuts, the mean of each frame pair (2j, 2j+1) of <paramref name="pairs"/>.</summary>
    private Tensor HalveTime(Tensor convolved, Tensor pairs)
    {
        if (!_shortcut) return convolved;
        return convolved.Plus(pairs.unflatten(2, new long[] { pairs.shape[2] / 2, 2 }).mean(new long[] { 3 }));
    }
}

/// <summary>Doubles height and width and, optionally, time: frame 0 stays one frame, every later frame becomes two.</summary>
public sealed class VideoUpsample : nn.Module<Tensor, CausalCache, Tensor>
{
    private readonly CausalConv3d? temporal;
    private readonly Conv3d spatial;
    private readonly bool _shortcut;
    private readonly TemporalUpsampling _timeShortcut;

    /// <summary>Zeroes the learned temporal doubling, leaving the shortcut's repetition.</summary>
    internal void ZeroTemporal() => temporal?.ZeroAll();

    public VideoUpsample(long inChannels, long outChannels, bool doubleTime, bool shortcut = false,
        TemporalUpsampling timeShortcut = TemporalUpsampling.Repeat) : base(nameof(VideoUpsample))
    {
        if (shortcut && inChannels % outChannels != 0 && outChannels % inChannels != 0)
            throw new ArgumentException($"an upsampling shortcut needs channel counts that divide each other, got {inChannels} -> {outChannels}");
        _shortcut = shortcut;
        _timeShortcut = timeShortcut;
        temporal = doubleTime ? new CausalConv3d(inChannels, inChannels * 2, temporalKernel: 3, spatialKernel: 1) : null;
        spatial = nn.Conv3d(inChannels, outChannels, (1, 3, 3), padding: (0, 1, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, CausalCache cache)
    {
        using var scope = NewDisposeScope();
        var h = x;
        if (temporal is not null)
        {
            bool start = cache.IsStart(this);
            long b = x.shape[0], c = x.shape[1], t = x.shape[2], height = x.shape[3], width = x.shape[4];
            var pairs = temporal.forward(x, cache)                              // (B, 2C, T, H, W)
                .view(b, 2, c, t, height, width).permute(0, 2, 3, 1, 4, 5)
                .reshape(b, c, 2 * t, height, width);                            // (B, C, 2T, H, W), frame t → 2t, 2t+1
            h = start ? cat(new[] { x.narrow(2, 0, 1), pairs.narrow(2, 2, 2 * t - 2) }, 2) : pairs;
            if (_shortcut)
            {
                var doubled = DoubleTime(x, start ? null : cache.Get(this));              // (B, C, 2T, H, W)
                h = h.Plus(start ? cat(new[] { x.narrow(2, 0, 1), doubled.narrow(2, 2, 2 * t - 2) }, 2) : doubled);
                if (_timeShortcut == TemporalUpsampling.Linear) cache.Set(this, x.narrow(2, t - 1, 1));
            }
            cache.MarkStarted(this);
        }
        var up = F.interpolate(h, scale_factor: new double[] { 1, 2, 2 }, mode: InterpolationMode.Nearest);
        var result = spatial.forward(up);
        if (_shortcut) result = result.Plus(ChannelResample.To(up, spatial.out_channels));
        return result.MoveToOuterDisposeScope();                                // (B, C', T', 2H, 2W)
    }

    /// <summary>
    /// The shortcut's frames 2t, 2t+1 for input frame t. <paramref name="before"/> is the frame before this chunk
    /// (null at the start, where the first frame has nothing to move from).
    /// </summary>
    private Tensor DoubleTime(Tensor x, Tensor? before)
    {
        if (_timeShortcut == TemporalUpsampling.Repeat) return x.repeat_interleave(2, 2);
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], height = x.shape[3], width = x.shape[4];
        var previous = cat(new[] { before ?? x.narrow(2, 0, 1), x.narrow(2, 0, t - 1) }, 2);
        var step = (x - previous).Times(0.25);
        return stack(new[] { x - step, x.Plus(step) }, 3).reshape(b, c, 2 * t, height, width);
    }
}

/// <summary>Parameter-free channel change for shortcuts: means over groups going down, repetition going up.</summary>
internal static class ChannelResample
{
    public static Tensor To(Tensor x, long channels)
    {
        long c = x.shape[1];
        if (c == channels) return x.alias();
        if (c % channels == 0) return x.unflatten(1, new long[] { channels, c / channels }).mean(new long[] { 2 });
        if (channels % c == 0) return x.repeat_interleave(channels / c, 1);
        throw new ArgumentException($"channel counts must divide each other, got {c} -> {channels}");
    }
}

/// <summary>Video → (mean, log-variance) of the latent, both (B, z, 1 + (T-1)/4, H/8, W/8).</summary>
public sealed class VideoEncoder : nn.Module<Tensor, CausalCache, Tensor>
{
    private readonly CausalConv3d conv_in;
    private readonly ModuleList<nn.Module<Tensor, CausalCache, Tensor>> down;
    private readonly CausalResidualBlock mid;
    private readonly FrameLayerNorm norm_out;
    private readonly CausalConv3d conv_out;

    public VideoEncoder(VideoVaeConfig config) : base(nameof(VideoEncoder))
    {
        int[] channels = config.ChannelMultipliers.Select(m => m * config.BaseChannels).ToArray();
        conv_in = new CausalConv3d(config.ImageChannels, channels[0]);
        down = new ModuleList<nn.Module<Tensor, CausalCache, Tensor>>();
        long current = channels[0];
        for (int stage = 0; stage < channels.Length; stage++)
        {
            for (int i = 0; i < config.ResidualBlocksPerStage; i++)
            {
                down.Add(new CausalResidualBlock(current, channels[stage]));
                current = channels[stage];
            }
            if (stage < channels.Length - 1) down.Add(new VideoDownsample(current, config.TemporalDownsample[stage], config.ResamplingShortcuts));
        }
        mid = new CausalResidualBlock(current, current);
        norm_out = new FrameLayerNorm(current);
        conv_out = new CausalConv3d(current, 2L * config.LatentChannels);
        RegisterComponents();
        _latentChannels = config.LatentChannels;
        _shortcut = config.ResamplingShortcuts;
    }

    private readonly int _latentChannels;
    private readonly bool _shortcut;

    /// <summary>
    /// Starts the log-variance half of the output at −6 (σ ≈ 0.05). With the default 0 the sampled latents
    /// are unit noise that drowns the means, and the decoder first learns to ignore its input.
    /// </summary>
    public void InitializeLogVariance(double value = -6)
    {
        using var noGrad = no_grad();
        conv_out.Bias.narrow(0, _latentChannels, _latentChannels).FillWith(value);
    }

    public override Tensor forward(Tensor video, CausalCache cache)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(video, cache);
        foreach (var layer in down) h = layer.forward(h, cache);
        h = mid.forward(h, cache);
        var moments = conv_out.forward(F.silu(norm_out.forward(h)), cache);         // (B, 2z, t, h, w)
        if (!_shortcut) return moments.MoveToOuterDisposeScope();
        var mean = moments.narrow(1, 0, _latentChannels).Plus(ChannelResample.To(h, _latentChannels));
        return cat(new[] { mean, moments.narrow(1, _latentChannels, _latentChannels) }, 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Latent (B, z, 1 + k, h, w) → video (B, 3, 1 + 4k, 8h, 8w) in [-1, 1] (before clamping).</summary>
public sealed class VideoDecoder : nn.Module<Tensor, CausalCache, Tensor>
{
    private readonly CausalConv3d conv_in;
    private readonly CausalResidualBlock mid;
    private readonly ModuleList<nn.Module<Tensor, CausalCache, Tensor>> up;
    private readonly FrameLayerNorm norm_out;
    private readonly CausalConv3d conv_out;

    public VideoDecoder(VideoVaeConfig config) : base(nameof(VideoDecoder))
    {
        int[] channels = config.ChannelMultipliers.Select(m => m * config.BaseChannels).ToArray();
        long current = channels[^1];
        conv_in = new CausalConv3d(config.LatentChannels, current);
        mid = new CausalResidualBlock(current, current);
        up = new ModuleList<nn.Module<Tensor, CausalCache, Tensor>>();
        for (int stage = channels.Length - 1; stage >= 0; stage--)
        {
            for (int i = 0; i < config.ResidualBlocksPerStage; i++) up.Add(new CausalResidualBlock(current, channels[stage]));
            current = channels[stage];
            if (stage > 0)
            {
                up.Add(new VideoUpsample(current, channels[stage - 1], config.TemporalDownsample[stage - 1], config.ResamplingShortcuts, config.TemporalUpsampling));
                current = channels[stage - 1];
            }
        }
        norm_out = new FrameLayerNorm(current);
        conv_out = new CausalConv3d(current, config.ImageChannels);
        RegisterComponents();
        _shortcut = config.ResamplingShortcuts;
        _bottleneckChannels = channels[^1];
    }

    private readonly bool _shortcut;
    private readonly long _bottleneckChannels;

    public override Tensor forward(Tensor latents, CausalCache cache)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(latents, cache);
        if (_shortcut) h = h.Plus(ChannelResample.To(latents, _bottleneckChannels));
        h = mid.forward(h, cache);
        foreach (var layer in up) h = layer.forward(h, cache);
        return conv_out.forward(F.silu(norm_out.forward(h)), cache).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The causal video VAE. Videos are (B, 3, 1 + 4k, H, W) in [-1, 1] with H, W multiples of 8;
/// latents are normalised with the per-channel constants from the config.
/// </summary>
public sealed class VideoVae : nn.Module
{
    private readonly VideoEncoder encoder;
    private readonly VideoDecoder decoder;

    public VideoVaeConfig Config { get; }

    public VideoVae(VideoVaeConfig config) : base(nameof(VideoVae))
    {
        config.Validate();
        Config = config;
        encoder = new VideoEncoder(config);
        decoder = new VideoDecoder(config);
        RegisterComponents();
    }

    /// <summary>Initialisation for training from scratch (see <see cref="VideoEncoder.InitializeLogVariance"/>).</summary>
    public void InitializeWeights() => encoder.InitializeLogVariance();

    /// <summary>
    /// Zeroes every weight that mixes frames: the earlier taps of each causal convolution and the learned
    /// temporal resampling. A VAE trained on images alone then encodes a video as that image model would,
    /// frame by frame, with time halved by pair means and doubled by repetition (the resampling shortcuts),
    /// and video training starts from there: the "inflation" of an image autoencoder into a video one.
    /// </summary>
    public void InflateFromImages()
    {
        if (!Config.ResamplingShortcuts)
            throw new InvalidOperationException("inflating from images needs vae.resampling_shortcuts: without them, zeroed temporal resampling would carry nothing");
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case CausalConv3d conv: conv.ZeroPastTaps(); break;
                case VideoDownsample down: down.ZeroTemporal(); break;
                case VideoUpsample up: up.ZeroTemporal(); break;
            }
        }
    }

    /// <summary>
    /// Stops gradients to the encoder, so training changes only the decoder and the latent space every
    /// transformer trained on this VAE relies on stays exactly as it was.
    /// </summary>
    public void FreezeEncoder()
    {
        foreach (var parameter in encoder.parameters()) parameter.requires_grad = false;
    }

    /// <summary>Encoder output split into mean and log-variance, un-normalised; chunked in time.</summary>
    public (Tensor Mean, Tensor LogVariance) EncodeDistribution(Tensor video, CancellationToken cancellation = default)
    {
        CheckVideo(video);
        using var scope = NewDisposeScope();
        using var cache = new CausalCache();
        long frames = video.shape[2];
        var pieces = new List<Tensor>();
        // Chunk 0 is frame 0 alone; afterwards one latent frame's worth (4 frames) at a time.
        for (long start = 0; start < frames;)
        {
            cancellation.ThrowIfCancellationRequested();
            long length = start == 0 ? 1 : Config.TemporalCompression;
            pieces.Add(encoder.forward(video.narrow(2, start, length), cache));
            start += length;
        }
        var moments = cat(pieces, 2);
        var parts = moments.chunk(2, 1);
        return (parts[0].MoveToOuterDisposeScope(), parts[1].ClampTo(-30, 20).MoveToOuterDisposeScope());
    }

    /// <summary>Normalised latent mean of a video (the deterministic encoding used at inference).</summary>
    public Tensor Encode(Tensor video, CancellationToken cancellation = default)
    {
        using var scope = NewDisposeScope();
        var (mean, _) = EncodeDistribution(video, cancellation);
        return Normalize(mean).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes the whole latent in one pass (reference path; memory grows with length).</summary>
    public Tensor DecodeWhole(Tensor latents)
    {
        CheckLatents(latents);
        using var scope = NewDisposeScope();
        using var cache = new CausalCache();
        return decoder.forward(Denormalize(latents), cache).ClampTo(-1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes <paramref name="latentFramesPerChunk"/> latent frames at a time, handing each chunk of pixel
    /// frames (B, 3, t, H, W) to <paramref name="onFrames"/>; the tensor is disposed after the callback.
    /// Memory depends on the chunk size, not on the video's length.
    /// </summary>
    public void DecodeChunked(Tensor latents, Action<Tensor> onFrames, int latentFramesPerChunk = 1, CancellationToken cancellation = default)
    {
        CheckLatents(latents);
        if (latentFramesPerChunk < 1) throw new ArgumentOutOfRangeException(nameof(latentFramesPerChunk), "must be >= 1");
        using var cache = new CausalCache();
        long total = latents.shape[2];
        for (long start = 0; start < total; start += latentFramesPerChunk)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long length = Math.Min(latentFramesPerChunk, total - start);
            var frames = decoder.forward(Denormalize(latents.narrow(2, start, length)), cache).ClampTo(-1, 1);
            onFrames(frames);
        }
    }

    /// <summary>Decodes chunk by chunk and concatenates (for callers that want one tensor).</summary>
    public Tensor Decode(Tensor latents, int latentFramesPerChunk = 1, CancellationToken cancellation = default)
    {
        var pieces = new List<Tensor>();
        DecodeChunked(latents, frames => pieces.Add(frames.clone().DetachFromDisposeScope()), latentFramesPerChunk, cancellation);
        try { return cat(pieces, 2); }
        finally { foreach (var p in pieces) p.Dispose(); }
    }

    /// <summary>Decoder output for raw (un-normalised) latents, unclamped so training gradients reach every pixel.</summary>
    public Tensor DecodeForTraining(Tensor rawLatents)
    {
        CheckLatents(rawLatents);
        using var cache = new CausalCache();
        return decoder.forward(rawLatents, cache);
    }

    public Tensor Normalize(Tensor mean)
    {
        if (Config.LatentsMean.Length == 0) return mean.alias();
        var (m, s) = Constants(mean);
        return (mean - m) / s;
    }

    public Tensor Denormalize(Tensor latents)
    {
        if (Config.LatentsMean.Length == 0) return latents.alias();
        var (m, s) = Constants(latents);
        return (latents * s).Plus(m);
    }

    private (Tensor Mean, Tensor Std) Constants(Tensor like)
    {
        var mean = tensor(Config.LatentsMean, dtype: like.dtype, device: like.device).view(1, -1, 1, 1, 1);
        var std = Config.LatentsStd.Length == 0
            ? ones_like(mean)
            : tensor(Config.LatentsStd, dtype: like.dtype, device: like.device).view(1, -1, 1, 1, 1);
        return (mean, std);
    }

    private void CheckVideo(Tensor video)
    {
        if (video.dim() != 5 || video.shape[1] != Config.ImageChannels)
            throw new ArgumentException($"video must be (batch, {Config.ImageChannels}, frames, height, width), got [{string.Join(", ", video.shape)}]");
        int s = Config.SpatialCompression, t = Config.TemporalCompression;
        if (video.shape[3] % s != 0 || video.shape[4] % s != 0)
            throw new ArgumentException($"video height and width must be multiples of {s}, got {video.shape[3]}x{video.shape[4]}");
        if ((video.shape[2] - 1) % t != 0)
            throw new ArgumentException($"video frame count must be 1 + {t}k (e.g. 1, {1 + t}, {1 + 2 * t}), got {video.shape[2]}");
    }

    private void CheckLatents(Tensor latents)
    {
        if (latents.dim() != 5 || latents.shape[1] != Config.LatentChannels)
            throw new ArgumentException($"latents must be (batch, {Config.LatentChannels}, frames, height, width), got [{string.Join(", ", latents.shape)}]");
    }
}
