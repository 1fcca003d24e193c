using Kinema.Runtime;
using Kinema.Wan.Pipelines;
using Kinema.Wan.RandomWeights;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Pipelines;

/// <summary>Which dtype the umT5 encoder loads in on a CPU, where the Float32 XXL encoder (22 GB) may not fit.</summary>
public sealed class TextEncoderTypeTests
{
    public TextEncoderTypeTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void A_small_encoder_runs_in_the_compute_type()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 1);
        var model = WanModel.Open(folder.Path, new WanLoadOptions { Device = "cpu" });
        Assert.Equal(ScalarType.Float32, model.TextEncoderType);
    }

    [Fact]
    public void An_encoder_larger_than_available_memory_loads_in_bfloat16()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 1);
        // A sparse 4 TiB shard: no disk is used, but its size is what the choice looks at (weights are not read by Open).
        string shard = Path.Combine(folder.Path, "text_encoder", "padding-shard.safetensors");
        using (var stream = File.Create(shard)) stream.SetLength(4L << 40);
        var model = WanModel.Open(folder.Path, new WanLoadOptions { Device = "cpu" });
        Assert.Equal(ScalarType.BFloat16, model.TextEncoderType);
    }

    [Fact]
    public void An_explicit_choice_wins()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 1);
        var model = WanModel.Open(folder.Path, new WanLoadOptions { Device = "cpu", TextEncoderType = ScalarType.BFloat16 });
        Assert.Equal(ScalarType.BFloat16, model.TextEncoderType);
    }
}
