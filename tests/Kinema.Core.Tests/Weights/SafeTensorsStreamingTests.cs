using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;

namespace Kinema.Core.Tests.Weights;

/// <summary>The streaming writer: tensors produced one at a time from a declared layout, single file or sharded.</summary>
public class SafeTensorsStreamingTests
{
    public SafeTensorsStreamingTests() => TorchRuntime.EnsureLoaded();

    private static readonly TensorSpec[] Layout =
    [
        new("b.weight", torch.ScalarType.BFloat16, [4, 3]),
        new("a.bias", torch.ScalarType.Float32, [5]),
        new("c.scalar", torch.ScalarType.Float32, []),
    ];

    private static torch.Tensor Produce(TensorSpec spec) => torch.arange(spec.ElementCount, dtype: torch.ScalarType.Float32).reshape(spec.Shape).to(spec.DType);

    [Fact]
    public void Streamed_file_equals_the_in_memory_save_byte_for_byte()
    {
        using var folder = new WeightsFolder();
        var produced = new List<string>();
        SafeTensors.Save(folder.File("s.safetensors"), Layout, spec => { produced.Add(spec.Name); return Produce(spec); });
        var tensors = Layout.Select(spec => new KeyValuePair<string, torch.Tensor>(spec.Name, Produce(spec))).ToList();
        SafeTensors.Save(folder.File("m.safetensors"), tensors);
        foreach (var (_, t) in tensors) t.Dispose();

        Assert.Equal(["a.bias", "b.weight", "c.scalar"], produced); // key order, one call each
        Assert.Equal(File.ReadAllBytes(folder.File("m.safetensors")), File.ReadAllBytes(folder.File("s.safetensors")));
    }

    [Fact]
    public void A_produced_tensor_that_differs_from_its_declaration_is_named_and_no_file_is_left()
    {
        using var folder = new WeightsFolder();
        var error = Assert.Throws<InvalidOperationException>(() =>
            SafeTensors.Save(folder.File("x.safetensors"), Layout, spec => torch.zeros(2, dtype: spec.DType)));
        Assert.Contains("'a.bias' was declared Float32 [5] but produced Float32 [2]", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Sharded_save_writes_shards_and_an_index_that_opens_as_one_checkpoint()
    {
        using var folder = new WeightsFolder();
        // 24 + 20 + 4 bytes: a 30-byte limit gives [b.weight] [a.bias, c.scalar] in layout order.
        var written = SafeTensors.SaveSharded(folder.Path, "model", Layout, Produce, maxShardBytes: 30);
        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"],
            written.Select(Path.GetFileName));
        using var checkpoint = ShardedSafeTensors.Open(folder.File("model.safetensors.index.json"));
        Assert.Equal(Layout.Select(s => s.Name).Order(), checkpoint.Entries.Keys.Order());
        using var loaded = checkpoint.Load("b.weight", torch.ScalarType.Float32);
        using var expected = torch.arange(12, dtype: torch.ScalarType.Float32).reshape(4, 3);
        Assert.True(loaded.eq(expected).all().item<bool>());

        using var single = new WeightsFolder();
        Assert.Equal(["model.safetensors"], SafeTensors.SaveSharded(single.Path, "model", Layout, Produce, long.MaxValue).Select(Path.GetFileName));
    }
}
