using Kinema.Models;
using Kinema.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Models;

/// <summary>`transformer.pooled_text`: the caption's mean embedding added to every block's adaLN conditioning.</summary>
public class PooledTextTests
{
    public PooledTextTests() => TorchRuntime.EnsureLoaded();

    private static VideoDit Dit(bool pooled, bool perturbPool)
    {
        manual_seed(5);
        var dit = new VideoDit(TinyConfigs.Dit with { PooledText = pooled });
        dit.InitializeWeights();
        using (no_grad())
        {
            // Signal everywhere except cross-attention's output, so only the pooled path can carry the caption.
            foreach (var (name, p) in dit.named_parameters())
                if (!name.Contains("cross_attn.o.") && (perturbPool || !name.StartsWith("text_pool."))) p.add_(randn_like(p) * 0.05);
        }
        dit.eval();
        return dit;
    }

    private static Tensor Run(VideoDit dit, Tensor context, Tensor mask)
    {
        manual_seed(9);
        var latents = randn(new long[] { 1, TinyConfigs.Dit.LatentChannels, 2, 4, 4 });
        return dit.Forward(latents, tensor(new float[] { 900 }), context, mask);
    }

    [Fact]
    public void The_pooled_caption_reaches_the_output_without_cross_attention()
    {
        using var dit = Dit(pooled: true, perturbPool: true);
        using var guard = inference_mode();
        var mask = ones(1, 5, dtype: ScalarType.Bool);
        var a = Run(dit, randn(1, 5, TinyConfigs.Dit.TextDim), mask);
        var b = Run(dit, randn(1, 5, TinyConfigs.Dit.TextDim), mask);
        Assert.True((a - b).abs().max().item<float>() > 1e-4f);
    }

    [Fact]
    public void A_fresh_pooled_path_leaves_the_model_unchanged()
    {
        using var plain = Dit(pooled: false, perturbPool: false);
        using var pooled = Dit(pooled: true, perturbPool: false);
        pooled.load_state_dict(plain.state_dict(), strict: false);   // text_pool keeps its zero initialisation
        using var guard = inference_mode();
        var context = randn(1, 5, TinyConfigs.Dit.TextDim);
        var mask = ones(1, 5, dtype: ScalarType.Bool);
        Assert.Equal(0f, (Run(plain, context, mask) - Run(pooled, context, mask)).abs().max().item<float>());
    }

    [Fact]
    public void Padded_tokens_do_not_enter_the_pooled_caption()
    {
        using var dit = Dit(pooled: true, perturbPool: true);
        using var guard = inference_mode();
        var context = randn(1, 5, TinyConfigs.Dit.TextDim);
        var mask = tensor(new[] { true, true, true, false, false }).view(1, 5);
        var changedPadding = context.clone();
        changedPadding[0, 3..] = randn(2, TinyConfigs.Dit.TextDim);
        Assert.Equal(0f, (Run(dit, context, mask) - Run(dit, changedPadding, mask)).abs().max().item<float>());
    }
}
