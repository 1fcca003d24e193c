using static TorchSharp.torch;

namespace Kinema.Training.Losses;

/// <summary>
/// L1 between the frame-to-frame changes of a reconstruction and of its source. A causal VAE with 4x temporal
/// compression tends to decode the four frames of a latent nearly alike and to jump at the next latent: per-pixel L1
/// barely notices (each frame is only a little off) but the video judders every fourth frame, and every seam an
/// extension or a loop makes lands on such a jump. Comparing changes rather than frames weighs exactly that.
/// </summary>
public static class TemporalDifference
{
    /// <param name="reconstruction">(B, C, T, H, W)</param><param name="video">same shape</param>
    /// <returns>Mean |Δreconstruction − Δvideo| over consecutive frame pairs; zero for single frames.</returns>
    public static Tensor Mean(Tensor reconstruction, Tensor video)
    {
        if (!reconstruction.shape.SequenceEqual(video.shape))
            throw new ArgumentException($"shapes differ: [{string.Join(", ", reconstruction.shape)}] and [{string.Join(", ", video.shape)}]");
        long t = video.shape[2];
        if (t < 2) return zeros(1, dtype: video.dtype, device: video.device).sum();
        using var scope = NewDisposeScope();
        var changeOut = reconstruction.narrow(2, 1, t - 1) - reconstruction.narrow(2, 0, t - 1);
        var changeIn = video.narrow(2, 1, t - 1) - video.narrow(2, 0, t - 1);
        return (changeOut - changeIn).abs().mean().MoveToOuterDisposeScope();
    }
}
