using Kinema.Models;
using Kinema.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Models;

/// <summary>`transformer.output_refiner`: a residual 3x3x3 convolution block after unpatchifying.</summary>
public class OutputRefinerTests
{
    public OutputRefinerTests() => TorchRuntime.EnsureLoaded();

    private static VideoDit Dit(bool refiner, Func<string, bool> perturb)
    {
        manual_seed(5);
        var dit = new VideoDit(TinyConfigs.Dit with { OutputRefiner = refiner });
        dit.InitializeWeights();
        using (no_grad())
        {
            foreach (var (name, p) in dit.named_parameters())
                if (perturb(name)) p.add_(randn_like(p) * 0.05);
        }
        dit.eval();
        return dit;
    }

    private static Tensor Run(VideoDit dit, Tensor latents)
    {
        var context = zeros(1, 3, TinyConfigs.Dit.TextDim);
        return dit.Forward(latents, tensor(new float[] { 700 }), context, ones(1, 3, dtype: ScalarType.Bool));
    }

    private static Tensor Latents(long frames)
    {
        manual_seed(9);
        return randn(new long[] { 1, TinyConfigs.Dit.LatentChannels, frames, 4, 4 });
    }

    [Fact]
    public void A_fresh_refiner_leaves_the_model_unchanged()
    {
        using var plain = Dit(refiner: false, perturb: _ => true);
        using var refined = Dit(refiner: true, perturb: name => !name.StartsWith("output_refiner.", StringComparison.Ordinal));
        refined.load_state_dict(plain.state_dict(), strict: false);   // the refiner keeps its zeroed last layer
        using var guard = inference_mode();
        var latents = Latents(2);
        Assert.Equal(0f, (Run(plain, latents) - Run(refined, latents)).abs().max().item<float>());
    }

    [Fact]
    public void The_refiner_reaches_two_latent_frames_each_way_and_no_further()
    {
        // The transformer's own output left at zero, so whatever varies comes from the refiner's two 3x3x3 layers.
        using var dit = Dit(refiner: true, perturb: name => name.StartsWith("output_refiner.", StringComparison.Ordinal));
        using var guard = inference_mode();
        var latents = Latents(5);
        var changed = latents.clone();
        changed[.., .., 0] = randn(1, TinyConfigs.Dit.LatentChannels, 4, 4);
        var difference = (Run(dit, latents) - Run(dit, changed)).abs().amax(new long[] { 0, 1, 3, 4 });   // per latent frame
        var perFrame = difference.data<float>().ToArray();
        Assert.True(perFrame[1] > 1e-4f && perFrame[2] > 1e-4f, $"frames 1 and 2 moved by {perFrame[1]} and {perFrame[2]}");
        Assert.Equal(0f, perFrame[3]);
        Assert.Equal(0f, perFrame[4]);
    }

    [Fact]
    public void A_model_without_the_refiner_has_no_refiner_weights()
    {
        using var dit = new VideoDit(TinyConfigs.Dit);
        Assert.DoesNotContain(dit.state_dict().Keys, k => k.StartsWith("output_refiner.", StringComparison.Ordinal));
    }
}
