using Kinema.Runtime;
using Kinema.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Wan.Vae;

// Building blocks of Wan's causal video VAE, named as diffusers' AutoencoderKLWan so state_dict keys match
// vae/diffusion_pytorch_model.safetensors. Every temporal convolution is causal, which is what lets the VAE run
// chunk by chunk (1 frame, then 4 at a time when encoding; 1 latent frame at a time when decoding) with a small
// per-layer cache of trailing frames (Kinema.Models.CausalCache, diffusers' feat_cache keyed by layer), in memory
// independent of the video length.

/// <summary>A module of the VAE: takes a (B, C, T, H, W) chunk, the pass's cache, and whether this is the pass's first chunk.</summary>
public abstract class WanVaeModule : nn.Module
{
    protected WanVaeModule(string name) : base(name)
    {
    }

    public abstract Tensor Forward(Tensor x, CausalCache cache, bool firstChunk);
}

/// <summary>
/// Conv3d padded only on the past side in time (2·p frames in front, none behind) and symmetrically in space. A
/// cached conv prepends the last ≤2 input frames of the previous chunk and pads only what history is missing, so
/// chunked and whole-video results agree. Holds <c>weight</c> and <c>bias</c> itself, as diffusers' subclass of Conv3d does.
/// </summary>
public sealed class WanCausalConv3d : nn.Module<Tensor, CausalCache?, Tensor>
{
    private const int CacheFrames = 2;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long[] _stride;
    private readonly long _timePad, _heightPad, _widthPad;

    public WanCausalConv3d(long inChannels, long outChannels, (long T, long H, long W) kernel, (long T, long H, long W) padding, long timeStride = 1,
        ScalarType dtype = ScalarType.Float32)
        : base(nameof(WanCausalConv3d))
    {
        weight = nn.Parameter(empty(new long[] { outChannels, inChannels, kernel.T, kernel.H, kernel.W }, dtype: dtype));
        bias = nn.Parameter(empty(new long[] { outChannels }, dtype: dtype));
        // PyTorch's Conv3d default init (kaiming-uniform with a = √5 reduces to U(±1/√fan_in)); loads overwrite it.
        double bound = 1.0 / Math.Sqrt(inChannels * kernel.T * kernel.H * kernel.W);
        using (no_grad())
        {
            weight.uniform_(-bound, bound);
            bias.uniform_(-bound, bound);
        }
        _stride = [timeStride, 1, 1];
        _timePad = 2 * padding.T;
        _heightPad = padding.H;
        _widthPad = padding.W;
        RegisterComponents();
    }

    /// <summary>A cubic kernel with "same" padding (k/2), the usual case.</summary>
    public static WanCausalConv3d Cube(long inChannels, long outChannels, long kernel, ScalarType dtype = ScalarType.Float32) =>
        new(inChannels, outChannels, (kernel, kernel, kernel), (kernel / 2, kernel / 2, kernel / 2), dtype: dtype);

    /// <param name="x">(B, C, T, H, W)</param>
    /// <param name="cache">The pass's cache, or null to treat <paramref name="x"/> as the whole (or first) chunk with no history.</param>
    public override Tensor forward(Tensor x, CausalCache? cache)
    {
        using var scope = NewDisposeScope();
        long front = _timePad;
        var input = x;
        if (cache is not null && _timePad > 0)
        {
            if (cache.Get(this) is { } past)
            {
                input = cat(new[] { past, x }, 2);
                front -= past.shape[2];
            }
            long keep = Math.Min(CacheFrames, input.shape[2]);
            cache.Set(this, input.narrow(2, input.shape[2] - keep, keep));
        }
        if (front > 0 || _heightPad > 0 || _widthPad > 0)
            input = F.pad(input, new long[] { _widthPad, _widthPad, _heightPad, _heightPad, front, 0 });
        return F.conv3d(input, weight, bias, strides: _stride).MoveToOuterDisposeScope(); // (B, C', T', H', W')
    }
}

/// <summary>
/// Wan's RMS norm: L2-normalise over channels (x / max(‖x‖, 1e-12)), times √C and a per-channel gain. Per voxel, so it
/// never mixes frames. <c>gamma</c> is (C,1,1,1) on videos and (C,1,1) inside the per-frame attention block.
/// </summary>
public sealed class WanRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gamma;
    private readonly double _scale;

    public WanRmsNorm(long channels, bool images, ScalarType dtype = ScalarType.Float32) : base(nameof(WanRmsNorm))
    {
        gamma = nn.Parameter(images ? ones(channels, 1, 1, dtype: dtype) : ones(new long[] { channels, 1, 1, 1 }, dtype: dtype));
        _scale = Math.Sqrt(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // F.normalize's arithmetic, in fp32 for half inputs as diffusers does.
        var x32 = x.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? x.to(ScalarType.Float32) : x;
        using var smallest = 1e-12.ToScalar();   // held (HeldScalars)
        var norm = x32.Squared().sum(new long[] { 1 }, keepdim: true).sqrt().clamp_min(smallest);
        var normalized = (x32 / norm).to(x.dtype);
        return (normalized.Times(_scale) * gamma).MoveToOuterDisposeScope();
    }
}

/// <summary>Pre-norm residual block: conv2(silu(norm2(conv1(silu(norm1(x)))))) + shortcut(x); both 3×3×3 convs are causal and cached.</summary>
public sealed class WanResidualBlock : WanVaeModule
{
    private readonly WanRmsNorm norm1, norm2;
    private readonly WanCausalConv3d conv1, conv2;
    private readonly WanCausalConv3d? conv_shortcut;

    public WanResidualBlock(long inDim, long outDim, ScalarType dtype = ScalarType.Float32) : base(nameof(WanResidualBlock))
    {
        norm1 = new WanRmsNorm(inDim, images: false, dtype);
        conv1 = WanCausalConv3d.Cube(inDim, outDim, 3, dtype);
        norm2 = new WanRmsNorm(outDim, images: false, dtype);
        conv2 = WanCausalConv3d.Cube(outDim, outDim, 3, dtype);
        conv_shortcut = inDim == outDim ? null : WanCausalConv3d.Cube(inDim, outDim, 1, dtype);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var shortcut = conv_shortcut is null ? x : conv_shortcut.forward(x, null);
        var h = conv1.forward(F.silu(norm1.forward(x)), cache);
        h = conv2.forward(F.silu(norm2.forward(h)), cache);                        // dropout is inactive at inference
        return h.Plus(shortcut).MoveToOuterDisposeScope();
    }
}

/// <summary>Single-head self-attention over the H·W positions of each frame separately (so still causal), plus identity.</summary>
public sealed class WanAttentionBlock : WanVaeModule
{
    private readonly WanRmsNorm norm;
    private readonly Conv2d to_qkv, proj;

    public WanAttentionBlock(long dim, ScalarType dtype = ScalarType.Float32) : base(nameof(WanAttentionBlock))
    {
        norm = new WanRmsNorm(dim, images: true, dtype);
        to_qkv = nn.Conv2d(dim, dim * 3, 1, dtype: dtype);
        proj = nn.Conv2d(dim, dim, 1, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        var frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w);             // (B·T, C, H, W)
        var qkv = to_qkv.forward(norm.forward(frames)).reshape(b * t, 1, c * 3, h * w).permute(0, 1, 3, 2); // (B·T, 1, HW, 3C)
        var parts = qkv.chunk(3, -1);
        var attended = F.scaled_dot_product_attention(parts[0].contiguous(), parts[1].contiguous(), parts[2].contiguous()); // (B·T, 1, HW, C)
        var merged = attended.squeeze(1).permute(0, 2, 1).reshape(b * t, c, h, w);
        var output = proj.forward(merged).view(b, t, c, h, w).permute(0, 2, 1, 3, 4); // (B, C, T, H, W)
        return output.Plus(x).MoveToOuterDisposeScope();
    }
}

/// <summary>The parameter-free first step of a resample (index 0 of diffusers' <c>resample</c> Sequential): 2× nearest upsample or a (0,1,0,1) zero pad.</summary>
internal sealed class ResizeStep : nn.Module<Tensor, Tensor>
{
    private readonly bool _upsample;

    public ResizeStep(bool upsample) : base(nameof(ResizeStep))
    {
        _upsample = upsample;
    }

    // align_corners is meaningless for nearest-exact, but libtorch's C++ interpolate only exempts kNearest/kArea from its
    // "default align_corners changed" warning, so leaving it unset prints that warning on every decoded chunk.
    public override Tensor forward(Tensor x) => _upsample
        ? F.interpolate(x, scale_factor: new double[] { 2, 2 }, mode: InterpolationMode.NearestExact, align_corners: false)
        : F.pad(x, new long[] { 0, 1, 0, 1 });
}

/// <summary>How a <see cref="WanResample"/> changes resolution.</summary>
public enum WanResampleMode
{
    Upsample2d,
    Upsample3d,
    Downsample2d,
    Downsample3d,
}

/// <summary>
/// Halves or doubles height and width per frame, and for the 3d modes time as well. Time follows Wan's "first frame
/// alone" rule: downsampling keeps frame 0 and then maps each new pair of frames (with the previous frame as context)
/// to one; upsampling keeps frame 0 as one frame and turns every later frame into two, the temporal conv deliberately
/// never seeing frame 0 (diffusers' "Rep" marker).
/// </summary>
public sealed class WanResample : WanVaeModule
{
    private readonly Sequential resample;
    private readonly WanCausalConv3d? time_conv;
    private readonly WanResampleMode _mode;

    public WanResample(long dim, WanResampleMode mode, long? upsampleOutDim = null, ScalarType dtype = ScalarType.Float32) : base(nameof(WanResample))
    {
        _mode = mode;
        bool up = mode is WanResampleMode.Upsample2d or WanResampleMode.Upsample3d;
        // Wan 2.1 halves channels when upsampling; Wan 2.2 passes its own out dim.
        long outDim = up ? upsampleOutDim ?? dim / 2 : dim;
        resample = nn.Sequential(
            ("0", new ResizeStep(up)),
            ("1", up ? nn.Conv2d(dim, outDim, 3, padding: 1, dtype: dtype) : nn.Conv2d(dim, dim, 3, stride: 2, dtype: dtype)));
        time_conv = mode switch
        {
            WanResampleMode.Upsample3d => new WanCausalConv3d(dim, dim * 2, (3, 1, 1), (1, 0, 0), dtype: dtype),
            WanResampleMode.Downsample3d => new WanCausalConv3d(dim, dim, (3, 1, 1), (0, 0, 0), timeStride: 2, dtype: dtype),
            _ => null,
        };
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = _mode == WanResampleMode.Upsample3d ? DoubleTime(x, cache) : x;
        long b = h.shape[0], c = h.shape[1], t = h.shape[2];
        var frames = resample.forward(h.permute(0, 2, 1, 3, 4).reshape(b * t, c, h.shape[3], h.shape[4])); // (B·T, C', H', W')
        h = frames.view(b, t, frames.shape[1], frames.shape[2], frames.shape[3]).permute(0, 2, 1, 3, 4); // (B, C', T, H', W')
        if (_mode == WanResampleMode.Downsample3d) h = HalveTime(h, cache);
        return h.MoveToOuterDisposeScope();
    }

    // (B, C, T, H, W) → (B, C, T', H, W) with T' = 1 + 2(T-1) on the first chunk, 2T after.
    private Tensor DoubleTime(Tensor x, CausalCache cache)
    {
        if (cache.IsStart(this))
        {
            cache.MarkStarted(this);
            // Frame 0 stays one frame and is not used as history by the temporal conv.
            if (x.shape[2] == 1) return x.alias();
            return cat(new[] { x.narrow(2, 0, 1), Interleave(x.narrow(2, 1, x.shape[2] - 1), cache) }, 2);
        }
        return Interleave(x, cache);
    }

    private Tensor Interleave(Tensor x, CausalCache cache)
    {
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        var pairs = time_conv!.forward(x, cache);                                    // (B, 2C, T, H, W), causal with history
        // Channel half 0 becomes frame 2i, half 1 frame 2i+1.
        return pairs.view(b, 2, c, t, h, w).permute(0, 2, 3, 1, 4, 5).reshape(b, c, t * 2, h, w);
    }

    // (B, C, T, H, W) → first chunk: 1 + (T-1)/2 frames (frame 0 alone); later chunks: T/2 frames.
    private Tensor HalveTime(Tensor h, CausalCache cache)
    {
        long t = h.shape[2];
        Tensor result;
        if (cache.IsStart(this))
        {
            cache.MarkStarted(this);
            if ((t - 1) % 2 != 0) throw new ArgumentException($"the first chunk of a temporal downsample needs 1 + 2k frames, got {t}");
            result = t == 1 ? h.alias() : cat(new[] { h.narrow(2, 0, 1), time_conv!.forward(h, null) }, 2);
        }
        else
        {
            if (t % 2 != 0) throw new ArgumentException($"a later chunk of a temporal downsample needs an even frame count, got {t}");
            // The previous chunk's last frame is the left context of the first stride-2 window.
            result = time_conv!.forward(cat(new[] { cache.Get(this)!, h }, 2), null);
        }
        cache.Set(this, h.narrow(2, t - 1, 1));
        return result;
    }
}

/// <summary>
/// Wan 2.2's parameter-free downsampling shortcut: pad time in front to a multiple of the factor, fold the
/// factor_t × factor_s × factor_s neighbourhood into channels, then average channel groups down to out_dim.
/// </summary>
public sealed class AvgDown3D : nn.Module<Tensor, Tensor>
{
    private readonly long _outChannels, _factorT, _factorS, _groupSize;

    public AvgDown3D(long inChannels, long outChannels, long factorT, long factorS) : base(nameof(AvgDown3D))
    {
        long factor = factorT * factorS * factorS;
        if (inChannels * factor % outChannels != 0) throw new ArgumentException($"AvgDown3D: {inChannels}·{factor} is not a multiple of {outChannels}");
        _outChannels = outChannels;
        _factorT = factorT;
        _factorS = factorS;
        _groupSize = inChannels * factor / outChannels;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long padT = (_factorT - x.shape[2] % _factorT) % _factorT;
        if (padT > 0) x = F.pad(x, new long[] { 0, 0, 0, 0, padT, 0 });
        long b = x.shape[0], c = x.shape[1], t = x.shape[2] / _factorT, h = x.shape[3] / _factorS, w = x.shape[4] / _factorS;
        var folded = x.view(b, c, t, _factorT, h, _factorS, w, _factorS)
            .permute(0, 1, 3, 5, 7, 2, 4, 6)                                          // (B, C, ft, fs, fs, T, H, W)
            .reshape(b, _outChannels, _groupSize, t, h, w);
        return folded.mean(new long[] { 2 }).MoveToOuterDisposeScope();              // (B, out, T/ft, H/fs, W/fs)
    }
}

/// <summary>
/// Wan 2.2's parameter-free upsampling shortcut, the inverse of <see cref="AvgDown3D"/>'s folding: repeat channels,
/// unfold them into time and space. On the first chunk the first factor_t − 1 frames are dropped, matching the
/// main path's "frame 0 stays one frame".
/// </summary>
public sealed class DupUp3D : nn.Module<Tensor, bool, Tensor>
{
    private readonly long _outChannels, _factorT, _factorS, _repeats;

    public DupUp3D(long inChannels, long outChannels, long factorT, long factorS) : base(nameof(DupUp3D))
    {
        long factor = factorT * factorS * factorS;
        if (outChannels * factor % inChannels != 0) throw new ArgumentException($"DupUp3D: {outChannels}·{factor} is not a multiple of {inChannels}");
        _outChannels = outChannels;
        _factorT = factorT;
        _factorS = factorS;
        _repeats = outChannels * factor / inChannels;
    }

    public override Tensor forward(Tensor x, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        var unfolded = x.repeat_interleave(_repeats, 1)
            .view(b, _outChannels, _factorT, _factorS, _factorS, t, h, w)
            .permute(0, 1, 5, 2, 6, 3, 7, 4)                                          // (B, out, T, ft, H, fs, W, fs)
            .reshape(b, _outChannels, t * _factorT, h * _factorS, w * _factorS);
        if (firstChunk && _factorT > 1) unfolded = unfolded.narrow(2, _factorT - 1, unfolded.shape[2] - (_factorT - 1));
        return unfolded.MoveToOuterDisposeScope();
    }
}
