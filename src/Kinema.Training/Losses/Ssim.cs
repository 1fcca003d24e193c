using Kinema.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Training.Losses;

/// <summary>
/// Structural similarity (Wang et al. 2004) with an 11-tap Gaussian window, per frame and channel.
/// Used as the VAE's structural loss term: L1 alone averages edges into blur, and the toy world is all
/// edges (object outlines against flat backgrounds), which SSIM weighs directly and cheaply.
/// </summary>
public static class Ssim
{
    /// <param name="a">(B, C, T, H, W) in [-1, 1]</param><param name="b">same shape</param>
    /// <returns>Mean SSIM over everything, a scalar in [-1, 1].</returns>
    public static Tensor Mean(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        // Held Scalars: an implicit double → Scalar can be finalised by the GC while libtorch still reads it (seen as
        // "Expected false to be true" from Scalar::toFloat in long training runs).
        using var one = 1f.ToScalar();
        using var half = 0.5f.ToScalar();
        using var two = 2f.ToScalar();
        using var c1 = (0.01f * 0.01f).ToScalar();
        using var c2 = (0.03f * 0.03f).ToScalar();
        long bsz = a.shape[0], c = a.shape[1], t = a.shape[2], h = a.shape[3], w = a.shape[4];
        var x = a.add(one, one).mul(half).permute(0, 2, 1, 3, 4).reshape(bsz * t * c, 1, h, w);
        var y = b.add(one, one).mul(half).permute(0, 2, 1, 3, 4).reshape(bsz * t * c, 1, h, w);
        var window = GaussianWindow(11, 1.5, a.dtype, a.device);
        Tensor Blur(Tensor z) => F.conv2d(z, window, padding: new long[] { 5, 5 });
        var muX = Blur(x); var muY = Blur(y);
        var sigmaX = Blur(x * x) - muX * muX;
        var sigmaY = Blur(y * y) - muY * muY;
        var sigmaXY = Blur(x * y) - muX * muY;
        var map = (muX * muY).mul(two).add(c1, one) * sigmaXY.mul(two).add(c2, one) / ((muX * muX).Plus(muY * muY).add(c1, one) * sigmaX.Plus(sigmaY).add(c2, one));
        return map.mean().MoveToOuterDisposeScope();
    }

    private static Tensor GaussianWindow(int size, double sigma, ScalarType dtype, Device device)
    {
        var g = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - size / 2, 2) / (2 * sigma * sigma))).ToArray();
        double sum = g.Sum();
        var kernel = new float[size * size];
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++) kernel[i * size + j] = (float)(g[i] * g[j] / (sum * sum));
        return tensor(kernel, new long[] { 1, 1, size, size }).to(dtype).to(device);
    }
}
