using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training.Evaluation;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema eval vae`: reconstruction numbers plus the judge's ceiling for a transformer on that VAE.</summary>
public sealed class VaeEvaluationTests
{
    [Fact]
    public void The_judge_scores_ground_truth_near_100_and_an_untrained_vaes_round_trips_far_below()
    {
        manual_seed(3);
        using var vae = new VideoVae(ModelPresets.Tiny(4).Vae);
        vae.eval();
        var sheets = new List<int>();

        var report = VaeEvaluation.Run(vae, CPU, count: 1, seed: 42, onClip: (i, truth, reconstruction) =>
        {
            Assert.Equal(truth.Count, reconstruction.Count);
            sheets.Add(i);
        });

        Assert.Equal([0], sheets);
        Assert.True(report.JudgeGroundTruth > 95, $"ground truth {report.JudgeGroundTruth}");
        Assert.True(report.JudgeRoundTrip < 50, $"round trip {report.JudgeRoundTrip}");
        Assert.True(report.Psnr < 20, $"psnr {report.Psnr}");
    }
}
