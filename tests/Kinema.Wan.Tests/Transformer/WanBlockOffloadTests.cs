using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.RandomWeights;
using Kinema.Wan.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Transformer;

/// <summary>Sequential block offload must change where the weights live, not what the model computes.</summary>
public class WanBlockOffloadTests
{
    public WanBlockOffloadTests() => TorchRuntime.EnsureLoaded();

    private static (Tensor Latents, Tensor Timesteps, Tensor Context) Inputs()
    {
        using var gen = new Generator(3);
        return (randn(new long[] { 1, 4, 3, 4, 6 }, generator: gen), tensor(new float[] { 700f }),
            randn(new long[] { 1, 5, WanVariants.Configs(WanVariant.Tiny).Transformer.TextDim }, generator: gen));
    }

    [Fact]
    public void Offloaded_forward_equals_the_plain_forward_on_a_bfloat16_checkpoint()
    {
        using var folder = new TempFolder();
        // make-random stores the transformer in BFloat16, as the released folders do, so BFloat16 storage is exact.
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 2);
        var wan = WanModelFolder.Open(folder.Path);
        using var plain = wan.LoadTransformer(ScalarType.Float32);
        using var offloaded = wan.LoadTransformer(ScalarType.Float32, blockOffload: true);
        Assert.True(offloaded.OffloadsBlocks);
        Assert.Equal(ScalarType.Float32, offloaded.ComputeDtype);

        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var (latents, timesteps, context) = Inputs();
        var expected = plain.Forward(latents, timesteps, context);
        var actual = offloaded.Forward(latents, timesteps, context);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.True(expected.equal(actual).all().item<bool>(), $"max |difference| {(expected - actual).abs().max().item<float>():G3}");
        // A second pass still sees the weights: materialising and releasing a block is repeatable.
        Assert.True(expected.equal(offloaded.Forward(latents, timesteps, context)).all().item<bool>());
    }

    [Fact]
    public void Between_forwards_the_blocks_keep_their_matmul_weights_in_bfloat16()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 2);
        using var offloaded = WanModelFolder.Open(folder.Path).LoadTransformer(ScalarType.Float32, blockOffload: true);
        foreach (var (name, parameter) in offloaded.named_parameters())
        {
            bool matmul = name.StartsWith("blocks.", StringComparison.Ordinal) && !WanTransformer3D.KeepsFloat32(name);
            Assert.True(parameter.dtype == (matmul ? ScalarType.BFloat16 : ScalarType.Float32), $"{name} is {parameter.dtype}");
        }
        Assert.Throws<InvalidOperationException>(() => offloaded.EnableBlockOffload(ScalarType.Float32));
    }
}
