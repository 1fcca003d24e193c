using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Runtime;
using Kinema.Training.Optim;
using Kinema.World;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>Sanity checks that the models can learn at all: each overfits one clip quickly.</summary>
public sealed class LearningTests(ITestOutputHelper output)
{
    [Fact]
    public void The_vae_overfits_one_clip()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(0);
        var scene = SceneSampler.Sample(3);
        var frames = SceneRenderer.Render(scene, new RenderSettings { Width = 64, Height = 64, Fps = 8, Seconds = 5 / 8.0, MaxDegreeOfParallelism = 1 });
        using var video = FrameConversion.ToTensor(frames);
        using var vae = new VideoVae(ModelPresets.Tiny(4).Vae);
        vae.InitializeWeights();
        using var adam = new AdamW(vae.named_parameters().Select(p => (p.name, p.parameter)), weightDecay: 0);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            var (mean, _) = vae.EncodeDistribution(video);
            var loss = (vae.DecodeForTraining(mean) - video).abs().mean();
            loss.backward();
            adam.Step(2e-3);
            adam.ZeroGrad();
            double value = loss.item<float>();
            if (step == 0) first = value;
            last = value;
            if (step % 10 == 0) output.WriteLine($"step {step}: L1 {value:0.0000}");
        }
        output.WriteLine($"first {first:0.0000}, last {last:0.0000}");
        Assert.True(last < first * 0.5, $"L1 went from {first:0.0000} to only {last:0.0000}");
    }
}
