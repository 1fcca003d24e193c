using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;

namespace Kinema.Core.Tests.Weights;

public class ShardedSafeTensorsTests
{
    private const string Index = "diffusion_pytorch_model.safetensors.index.json";

    public ShardedSafeTensorsTests() => TorchRuntime.EnsureLoaded();

    private static void WriteShards(WeightsFolder folder)
    {
        using var a = torch.full(2, 1f);
        using var b = torch.full(3, 2f);
        SafeTensors.Save(folder.File("model-00001-of-00002.safetensors"), [new("a", a)]);
        SafeTensors.Save(folder.File("model-00002-of-00002.safetensors"), [new("b", b)]);
    }

    private static void WriteIndex(WeightsFolder folder, string weightMap) =>
        File.WriteAllText(folder.File(Index), "{\"metadata\": {\"total_size\": 20}, \"weight_map\": {" + weightMap + "}}");

    [Fact]
    public void Index_exposes_the_union_of_its_shards()
    {
        using var folder = new WeightsFolder();
        WriteShards(folder);
        WriteIndex(folder, "\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"");

        using var checkpoint = ShardedSafeTensors.Open(folder.File(Index));
        using var b = checkpoint.Load("b");

        Assert.Equal(["a", "b"], checkpoint.Entries.Keys.Order());
        Assert.Equal(new[] { 2f, 2f, 2f }, b.data<float>().ToArray());
        Assert.Equal("20", checkpoint.Metadata["total_size"]);
    }

    [Fact]
    public void A_folder_with_one_index_opens_that_index()
    {
        using var folder = new WeightsFolder();
        WriteShards(folder);
        WriteIndex(folder, "\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"");

        using var checkpoint = ShardedSafeTensors.Open(folder.Path);

        Assert.Equal(2, checkpoint.Entries.Count);
    }

    [Fact]
    public void Missing_shard_is_named()
    {
        using var folder = new WeightsFolder();
        WriteShards(folder);
        WriteIndex(folder, "\"a\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00003-of-00003.safetensors\"");

        var error = Assert.Throws<SafeTensorsFormatException>(() => ShardedSafeTensors.Open(folder.File(Index)));
        Assert.Contains("shard 'model-00003-of-00003.safetensors'", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Key_listed_in_the_index_but_absent_from_its_shard_is_named()
    {
        using var folder = new WeightsFolder();
        WriteShards(folder);
        WriteIndex(folder, "\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\"");

        var error = Assert.Throws<SafeTensorsFormatException>(() => ShardedSafeTensors.Open(folder.File(Index)));
        Assert.Contains("key 'b' is listed in shard 'model-00001-of-00002.safetensors'", error.Message);
    }

    [Fact]
    public void A_single_file_opens_directly()
    {
        using var folder = new WeightsFolder();
        WriteShards(folder);

        using var checkpoint = ShardedSafeTensors.Open(folder.File("model-00001-of-00002.safetensors"));

        Assert.Equal(["a"], checkpoint.Entries.Keys);
    }
}
