using Kinema.Runtime;
using Kinema.Media;
using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training.Losses;
using Kinema.World;
using static TorchSharp.torch;

namespace Kinema.Training.Evaluation;

/// <summary>
/// Reconstruction quality on held-out toy-world clips at 128x128 (17 frames, 8 fps). The two judge
/// scores bound what any transformer on this latent space can reach: the judge's score for the
/// ground-truth clips, and for the same clips after the VAE round trip. The judder (<see cref="LatentJudder"/>) of the
/// round trip says whether the decoder's motion runs evenly or jumps at each latent frame; the step rhythm
/// (<see cref="LatentJudder.StepRhythm"/>, averaged over the clips) says at which places inside a latent frame it moves
/// most.
/// </summary>
public sealed record VaeReport(int Clips, double Psnr, double Ssim, double JudgeGroundTruth, double JudgeRoundTrip, double JudderGroundTruth, double JudderRoundTrip,
    double[] StepRhythmGroundTruth, double[] StepRhythmRoundTrip);

public static class VaeEvaluation
{
    /// <param name="onClip">Called per clip with the ground truth and its reconstruction, e.g. to save them for a look.</param>
    /// <param name="judge">False skips the judge (its fields are then NaN): validation during training logs PSNR only.</param>
    public static VaeReport Run(VideoVae vae, Device device, int count, int seed, Action<int, IReadOnlyList<RgbFrame>, IReadOnlyList<RgbFrame>>? onClip = null, bool judge = true)
    {
        using var guard = no_grad();
        double psnr = 0, ssim = 0, judgeTruth = 0, judgeRoundTrip = 0, judderTruth = 0, judderRoundTrip = 0;
        const double fps = 8;
        bool measuresJudder = vae.Config.TemporalCompression > 1;   // an image VAE has no latent hand-overs
        var rhythmTruth = new double[measuresJudder ? vae.Config.TemporalCompression : 0];
        var rhythmRoundTrip = new double[rhythmTruth.Length];
        for (int i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            var scene = SceneSampler.Sample(seed + i, SplitName.HeldOut);
            var frames = SceneRenderer.Render(scene, new RenderSettings { Width = 128, Height = 128, Fps = fps, Seconds = 17 / 8.0, MaxDegreeOfParallelism = 1 });
            var video = FrameConversion.ToTensor(frames).to(device);
            var (mean, _) = vae.EncodeDistribution(video);
            var reconstruction = vae.DecodeForTraining(mean).ClampTo(-1, 1);
            // PSNR on 8-bit pixels, as a viewer sees them.
            var a = video.Plus(1.0).Times(127.5).round();
            var b = reconstruction.Plus(1.0).Times(127.5).round();
            double mse = (a - b).Squared().mean().item<float>();
            psnr += 10 * Math.Log10(255.0 * 255.0 / Math.Max(mse, 1e-10));
            ssim += Ssim.Mean(reconstruction, video).item<float>();
            var reconstructed = FrameConversion.ToFrames(reconstruction.cpu());
            if (measuresJudder)
            {
                var truth = LatentJudder.RatioAndRhythm(frames, vae.Config.TemporalCompression);
                var roundTrip = LatentJudder.RatioAndRhythm(reconstructed, vae.Config.TemporalCompression);
                judderTruth += truth.Ratio;
                judderRoundTrip += roundTrip.Ratio;
                Accumulate(rhythmTruth, truth.Rhythm);
                Accumulate(rhythmRoundTrip, roundTrip.Rhythm);
            }
            if (judge)
            {
                judgeTruth += WorldJudge.Judge(frames, fps, scene).Overall;
                judgeRoundTrip += WorldJudge.Judge(reconstructed, fps, scene).Overall;
            }
            onClip?.Invoke(i, frames, reconstructed);
        }
        return new VaeReport(count, psnr / count, ssim / count, judge ? judgeTruth / count : double.NaN, judge ? judgeRoundTrip / count : double.NaN,
            measuresJudder ? judderTruth / count : double.NaN, measuresJudder ? judderRoundTrip / count : double.NaN,
            rhythmTruth.Select(sum => sum / count).ToArray(), rhythmRoundTrip.Select(sum => sum / count).ToArray());
    }

    private static void Accumulate(double[] sums, double[] values)
    {
        for (int i = 0; i < sums.Length; i++) sums[i] += values[i];
    }
}
