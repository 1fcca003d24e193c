using Kinema.Runtime;
using Kinema.Wan.RandomWeights;
using Kinema.Wan.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.RandomWeights;

public class RandomWanFolderTests
{
    public RandomWanFolderTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    // bf16 sizes from the published parameter counts (wan-spec.md §0): 2 bytes each.
    [InlineData(WanVariant.T2V1_3B, 1_418_996_800L, 1)]
    [InlineData(WanVariant.T2V14B, 14_288_491_584L, 6)]
    [InlineData(WanVariant.TI2V5B, 4_999_787_712L, 3)] // 9.9996 GB: greedy packing needs a third shard
    public void Real_variants_shard_like_diffusers_5GB_shards(WanVariant variant, long parameters, int shardCount)
    {
        var shards = RandomWanFolder.PlanShards(RandomWanFolder.TransformerConfig(variant), ScalarType.BFloat16, RandomWanFolder.DefaultMaxShardBytes);
        Assert.Equal(shardCount, shards.Count);
        Assert.All(shards, shard => Assert.True(shard.Sum(s => s.ElementCount * 2) <= RandomWanFolder.DefaultMaxShardBytes));
        Assert.Equal(2 * parameters, shards.Sum(shard => shard.Sum(s => s.ElementCount * 2)));
        Assert.All(shards.SelectMany(s => s), spec => Assert.Equal(ScalarType.BFloat16, spec.DType));
    }

    [Fact]
    public void Variant_configs_are_the_released_shapes()
    {
        Assert.Equal(1536, RandomWanFolder.TransformerConfig(WanVariant.T2V1_3B).InnerDim);
        Assert.Equal(5120, RandomWanFolder.TransformerConfig(WanVariant.T2V14B).InnerDim);
        var ti2v = RandomWanFolder.TransformerConfig(WanVariant.TI2V5B);
        Assert.Equal((3072, 48, 48, 30, 14336), (ti2v.InnerDim, ti2v.InChannels, ti2v.ResolvedOutChannels, ti2v.NumLayers, ti2v.FfnDim));
        Assert.Equal(5.0, RandomWanFolder.SchedulerConfig(WanVariant.TI2V5B).FlowShift);
        Assert.Equal(3.0, RandomWanFolder.SchedulerConfig(WanVariant.T2V14B).FlowShift);
    }
}
