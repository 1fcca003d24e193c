using Kinema.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kinema.Models;

/// <summary>RMS normalisation over the last dimension with a learned gain (used on attention queries and keys).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public RmsNorm(long dim, double eps = 1e-6) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        // Statistics in fp32: bf16 squares lose too much precision.
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        // A held eps: an implicit double→Scalar temporary can be finalized by the GC while libtorch reads it.
        using var eps = _eps.ToScalar();
        using var one = 1.0.ToScalar();
        var normed = x32 * x32.Squared().mean(new long[] { -1 }, keepdim: true).add(eps, one).rsqrt();
        return (normed.to(x.dtype) * weight).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Layer normalisation of each video frame over (C, H, W), with a per-channel gain and bias. Statistics come
/// from one frame only, so the VAE stays causal and chunked decoding stays exact. Unlike a per-voxel RMS
/// norm over channels (Wan's choice) it keeps each pixel's brightness relative to the frame: with that norm
/// our VAE sat at a blurry mean-colour plateau for hundreds of steps (docs/training.md).
/// </summary>
public sealed class FrameLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly double _eps;

    public FrameLayerNorm(long channels, double eps = 1e-6) : base(nameof(FrameLayerNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(channels));
        bias = nn.Parameter(zeros(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        var frames = x.transpose(1, 2).reshape(b * t, c, h, w);                      // (B·T, C, H, W)
        var normed = nn.functional.group_norm(frames, 1, weight, bias, _eps);
        return normed.view(b, t, c, h, w).transpose(1, 2).MoveToOuterDisposeScope(); // (B, C, T, H, W)
    }
}

/// <summary>Sinusoidal embedding of a continuous timestep, as in DiT and Wan (cos half first).</summary>
public static class TimestepEmbedding
{
    /// <param name="t">Timesteps of any shape, in [0, 1000].</param>
    /// <param name="dim">Even embedding width.</param>
    /// <param name="maxPeriod">Longest sinusoid period; sets the lowest frequency.</param>
    /// <returns>Shape t.shape + (dim), float32.</returns>
    public static Tensor Sinusoidal(Tensor t, long dim, double maxPeriod = 10000)
    {
        using var scope = NewDisposeScope();
        long half = dim / 2;
        var freqs = exp(HeldScalars.Range(half, ScalarType.Float32, t.device).Times(-Math.Log(maxPeriod) / half));
        var args = t.to(ScalarType.Float32).unsqueeze(-1) * freqs;
        return cat(new[] { cos(args), sin(args) }, -1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// 3D rotary position embedding. Each attention head's channel pairs are split between the frame,
/// height and width axes (the frame axis takes the remainder), so attention scores depend only on the
/// relative (t, h, w) offset between two patches, at any duration, resolution or aspect ratio.
/// </summary>
public static class Rope3D
{
    /// <summary>How many of the head's channel pairs rotate with frame, height and width.</summary>
    public static (int Frame, int Height, int Width) PairSplit(int headDim)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"head dimension must be even for rotary embeddings, got {headDim}");
        int pairs = headDim / 2;
        int spatial = pairs / 3;
        return (pairs - 2 * spatial, spatial, spatial);
    }

    /// <summary>Cos and sin tables of shape (F*H*W, headDim/2) for a patch grid, token order frame-major.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(int headDim, long frames, long height, long width, double theta, Device device)
        => Tables(headDim, HeldScalars.Range(frames, ScalarType.Float64), HeldScalars.Range(height, ScalarType.Float64), HeldScalars.Range(width, ScalarType.Float64), theta, device);

    /// <summary>Cos and sin tables for explicit per-axis positions (used to test shift invariance).</summary>
    public static (Tensor Cos, Tensor Sin) Tables(int headDim, Tensor framePositions, Tensor heightPositions, Tensor widthPositions, double theta, Device device)
    {
        using var scope = NewDisposeScope();
        var (pf, ph, pw) = PairSplit(headDim);
        long f = framePositions.shape[0], h = heightPositions.shape[0], w = widthPositions.shape[0];
        var angleF = AxisAngles(framePositions, pf, theta).view(f, 1, 1, pf).expand(f, h, w, pf);
        var angleH = AxisAngles(heightPositions, ph, theta).view(1, h, 1, ph).expand(f, h, w, ph);
        var angleW = AxisAngles(widthPositions, pw, theta).view(1, 1, w, pw).expand(f, h, w, pw);
        var angles = cat(new[] { angleF, angleH, angleW }, -1).reshape(f * h * w, pf + ph + pw);
        var cosTable = angles.cos().to(ScalarType.Float32).to(device);
        var sinTable = angles.sin().to(ScalarType.Float32).to(device);
        return (cosTable.MoveToOuterDisposeScope(), sinTable.MoveToOuterDisposeScope());
    }

    private static Tensor AxisAngles(Tensor positions, int pairs, double theta)
    {
        if (pairs == 0) return zeros(positions.shape[0], 0, dtype: ScalarType.Float64);
        var inverseFrequency = pow(theta, -HeldScalars.Range(pairs, ScalarType.Float64).DividedBy(pairs));
        return positions.to(ScalarType.Float64).unsqueeze(-1) * inverseFrequency;
    }

    /// <summary>Rotates (B, heads, L, headDim) queries or keys; pairs are adjacent channels (2i, 2i+1).</summary>
    public static Tensor Apply(Tensor x, Tensor cosTable, Tensor sinTable)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var pairs = x.to(ScalarType.Float32).reshape(shape[0], shape[1], shape[2], shape[3] / 2, 2);
        var even = pairs.select(-1, 0);
        var odd = pairs.select(-1, 1);
        var rotatedEven = even * cosTable - odd * sinTable;
        var rotatedOdd = (even * sinTable).Plus(odd * cosTable);
        return stack(new[] { rotatedEven, rotatedOdd }, -1).reshape(shape).to(x.dtype).MoveToOuterDisposeScope();
    }
}

/// <summary>Reshapes between (B, L, H·Dh) token features and (B, H, L, Dh) per-head attention inputs.</summary>
public static class AttentionHeads
{
    public static Tensor Split(Tensor x, int heads) => x.view(x.shape[0], x.shape[1], heads, -1).transpose(1, 2);

    public static Tensor Merge(Tensor x) => x.transpose(1, 2).reshape(x.shape[0], x.shape[2], -1);
}
