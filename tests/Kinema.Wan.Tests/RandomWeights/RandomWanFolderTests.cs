using Kinema.Runtime;
using Kinema.Wan.RandomWeights;
using Kinema.Wan.TextEncoder;
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
        var shards = RandomWanFolder.PlanShards(WanVariants.Configs(variant).Transformer, ScalarType.BFloat16, RandomWanFolder.DefaultMaxShardBytes);
        Assert.Equal(shardCount, shards.Count);
        Assert.All(shards, shard => Assert.True(shard.Sum(s => s.ElementCount * 2) <= RandomWanFolder.DefaultMaxShardBytes));
        Assert.Equal(2 * parameters, shards.Sum(shard => shard.Sum(s => s.ElementCount * 2)));
        Assert.All(shards.SelectMany(s => s), spec => Assert.Equal(ScalarType.BFloat16, spec.DType));
    }

    [Fact]
    public void Variant_configs_are_the_released_shapes()
    {
        Assert.Equal(1536, WanVariants.Configs(WanVariant.T2V1_3B).Transformer.InnerDim);
        Assert.Equal(5120, WanVariants.Configs(WanVariant.T2V14B).Transformer.InnerDim);
        var ti2v = WanVariants.Configs(WanVariant.TI2V5B).Transformer;
        Assert.Equal((3072, 48, 48, 30, 14336), (ti2v.InnerDim, ti2v.InChannels, ti2v.ResolvedOutChannels, ti2v.NumLayers, ti2v.FfnDim));
        Assert.Equal(5.0, WanVariants.Configs(WanVariant.TI2V5B).Scheduler.FlowShift);
        Assert.Equal(3.0, WanVariants.Configs(WanVariant.T2V14B).Scheduler.FlowShift);
    }

    [Fact]
    public void Variant_components_fit_together()
    {
        foreach (WanVariant variant in Enum.GetValues<WanVariant>())
        {
            var c = WanVariants.Configs(variant);
            Assert.Equal(c.TextEncoder.DModel, c.Transformer.TextDim);
            Assert.Equal(c.Vae.ZDim, c.Transformer.InChannels);
            Assert.Equal(c.TextEncoder.VocabSize, c.TokenizerVocabSize);
            Assert.Equal(variant, WanVariants.Parse(variant.ToName()));
        }
        Assert.Contains("ti2v-5B", Assert.Throws<ArgumentException>(() => WanVariants.Parse("7B")).Message);
    }

    [Fact]
    public void Tiny_folder_has_every_diffusers_component_and_each_one_loads()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 1);
        foreach (string file in new[]
        {
            "model_index.json", "scheduler/scheduler_config.json", "transformer/config.json", "transformer/diffusion_pytorch_model.safetensors",
            "text_encoder/config.json", "text_encoder/model.safetensors.index.json", "tokenizer/tokenizer.json",
            "tokenizer/tokenizer_config.json", "vae/config.json", "vae/diffusion_pytorch_model.safetensors",
        })
            Assert.True(File.Exists(folder.Combine(file)), $"{file} is missing");

        var model = Kinema.Wan.Loading.WanModelFolder.Open(folder.Path);
        Assert.Empty(model.MissingComponents);
        using (var text = model.LoadTextEncoder(ScalarType.Float32)) Assert.Equal(UMT5Config.Tiny.DModel, text.Model.Config.DModel);
        using (var vae = model.LoadVae()) Assert.Equal(4, vae.Config.ZDim);
        using (var transformer = model.LoadTransformer()) Assert.Equal(UMT5Config.Tiny.DModel, transformer.Config.TextDim);
    }
}
