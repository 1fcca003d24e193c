using Kinema.Runtime;
using TorchSharp;
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
        RequireSameShape(reconstruction, video);
        if (video.shape[2] < 2) return zeros(1, dtype: video.dtype, device: video.device).sum();
        using var scope = NewDisposeScope();
        return (Changes(reconstruction) - Changes(video)).abs().mean().MoveToOuterDisposeScope();
    }

    /// <summary>Frame t+1 minus frame t along time: (B, C, T−1, H, W).</summary>
    private static Tensor Changes(Tensor clip)
    {
        long t = clip.shape[2];
        return clip.narrow(2, 1, t - 1) - clip.narrow(2, 0, t - 1);
    }

    private static void RequireSameShape(Tensor reconstruction, Tensor video)
    {
        if (!reconstruction.shape.SequenceEqual(video.shape))
            throw new ArgumentException($"shapes differ: [{string.Join(", ", reconstruction.shape)}] and [{string.Join(", ", video.shape)}]");
    }

    /// <summary>
    /// How much each block changes from frame to frame, compared with the source, rather than how. Where the decoder
    /// cannot know what changes (rain, snow, a ghosted object), <see cref="Mean"/>'s L1 on the changes themselves is least
    /// for no change at all, and pulled weather towards stillness (docs/training.md, session 11). This term is least
    /// when every block of every frame step moves as much as the source's does, whatever the detail, so it evens out
    /// a rhythm of big and small steps inside a latent frame (session 23) without stilling the weather.
    /// </summary>
    /// <param name="reconstruction">(B, C, T, H, W)</param><param name="video">same shape</param>
    /// <param name="block">Side of the square blocks whose mean absolute change is compared. Rows and columns beyond
    /// the last whole block are left out; the trainer's bucket sizes are multiples of 16, so 8 leaves none.</param>
    /// <returns>Mean |E(Δreconstruction) − E(Δvideo)| over blocks and frame steps, where E is a block's mean absolute
    /// change over channels and pixels; zero for single frames.</returns>
    public static Tensor StepEnergy(Tensor reconstruction, Tensor video, int block = 8)
    {
        RequireSameShape(reconstruction, video);
        if (video.dim() != 5) throw new ArgumentException($"expected (B, C, T, H, W), got [{string.Join(", ", video.shape)}]");
        if (block < 1 || video.shape[3] < block || video.shape[4] < block)
            throw new ArgumentException($"a block of {block} pixels does not fit a {video.shape[4]}x{video.shape[3]} frame");
        if (video.shape[2] < 2) return zeros(1, dtype: video.dtype, device: video.device).sum();
        using var scope = NewDisposeScope();
        Tensor Energy(Tensor clip) => nn.functional.avg_pool3d(Changes(clip).abs().mean([1], keepdim: true), [1, block, block]);   // (B, 1, T-1, H/b, W/b)
        return (Energy(reconstruction) - Energy(video)).abs().mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Stage 2's form. A transformer whose neighbouring latent frames disagree (the objects laid out afresh in each)
    /// makes the decoded video flicker at every hand-over, whatever the decoder does between them: v6's frames changed
    /// 5.1 levels a frame where the rendered scenes change 3.9 (docs/training.md, session 14). Per-frame velocity error
    /// cannot tell an error shared by neighbouring frames (a steady offset) from one that flips between them (a jump);
    /// this term can.
    /// It compares the clean-latent estimate's error x̂₀ − x₀ = −σ·(v̂ − v) of neighbouring latent frames. On given
    /// (clean) frames σ is 0, so the error there is 0 and the term also weighs the seam between a given frame and the
    /// first generated one, where extend, loop and connect show their jumps.
    /// </summary>
    /// <param name="velocityError">v̂ − v, (B, C, T, H, W)</param>
    /// <param name="frameSigma">(B, T) noise level of each latent frame; 0 on given frames</param>
    /// <returns>Mean squared change of the error between consecutive latent frames, over the pairs that hold at least
    /// one generated frame; zero when there are none (single frames, or everything given).</returns>
    public static Tensor LatentChangeError(Tensor velocityError, Tensor frameSigma)
    {
        if (velocityError.dim() != 5 || !frameSigma.shape.SequenceEqual(new[] { velocityError.shape[0], velocityError.shape[2] }))
            throw new ArgumentException($"expected an error of (B, C, T, H, W) and noise levels of (B, T); got [{string.Join(", ", velocityError.shape)}] and [{string.Join(", ", frameSigma.shape)}]");
        long b = velocityError.shape[0], t = velocityError.shape[2];
        if (t < 2) return zeros(1, dtype: velocityError.dtype, device: velocityError.device).sum();
        using var scope = NewDisposeScope();
        var estimateError = velocityError * frameSigma.view(b, 1, t, 1, 1);
        var change = estimateError.narrow(2, 1, t - 1) - estimateError.narrow(2, 0, t - 1);
        using var zero = 0.0.ToScalar();   // held: a temporary Scalar may be finalized mid-call (HeldScalars)
        var generated = frameSigma.gt(zero);
        var counted = generated.narrow(1, 1, t - 1).logical_or(generated.narrow(1, 0, t - 1)).to(velocityError.dtype).view(b, 1, t - 1, 1, 1);
        using var one = 1.0.ToScalar();
        var values = counted.sum().Times(velocityError.shape[1] * velocityError.shape[3] * velocityError.shape[4]);
        return ((change.Squared() * counted).sum() / values.clamp_min(one)).MoveToOuterDisposeScope();
    }
}
