using System.Text.Json.Nodes;
using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.RandomWeights;
using Kinema.Wan.Transformer;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Loading;

public class WanModelFolderTests
{
    // The tiny folder's transformer is 21,384 bf16 values (42,768 bytes, largest tensor 6,912): this splits it into exactly two shards.
    private const long TwoShards = 30_000;

    public WanModelFolderTests() => TorchRuntime.EnsureLoaded();

    private static string WriteTiny(TempFolder folder)
    {
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, TwoShards, seed: 3);
        return folder.Path;
    }

    private static string TransformerFolder(string root) => Path.Combine(root, "transformer");

    private static string IndexPath(string root) => Path.Combine(TransformerFolder(root), "diffusion_pytorch_model.safetensors.index.json");

    [Fact]
    public void Tiny_random_folder_has_the_diffusers_layout_with_two_bf16_shards()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        Assert.True(File.Exists(Path.Combine(root, "model_index.json")));
        Assert.True(File.Exists(Path.Combine(root, "scheduler", "scheduler_config.json")));
        Assert.True(File.Exists(Path.Combine(TransformerFolder(root), "config.json")));
        Assert.True(File.Exists(Path.Combine(TransformerFolder(root), "diffusion_pytorch_model-00001-of-00002.safetensors")));
        Assert.True(File.Exists(Path.Combine(TransformerFolder(root), "diffusion_pytorch_model-00002-of-00002.safetensors")));

        using var weights = ShardedSafeTensors.Open(IndexPath(root));
        Assert.All(weights.Entries.Values, entry => Assert.Equal("BF16", entry.DType));
        var layout = WanTransformerLayout.Tensors(WanVariants.Configs(WanVariant.Tiny).Transformer).Select(t => t.Key).Order(StringComparer.Ordinal);
        Assert.Equal(layout, weights.Entries.Keys.Order(StringComparer.Ordinal));
        var index = JsonNode.Parse(File.ReadAllText(IndexPath(root)))!;
        Assert.Equal(weights.Entries.Values.Sum(e => e.ByteLength), index["metadata"]!["total_size"]!.GetValue<long>());
    }

    [Fact]
    public void Strict_load_round_trips_every_tensor_and_runs()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        var model = WanModelFolder.Open(root);
        Assert.Empty(model.MissingComponents);
        Assert.True(model.Has("transformer"));
        Assert.False(model.Index.ExpandTimesteps);

        using var transformer = model.LoadTransformer(ScalarType.Float32);
        using var weights = ShardedSafeTensors.Open(IndexPath(root));
        foreach (var (key, value) in transformer.state_dict())
        {
            using var stored = weights.Load(key, ScalarType.Float32);
            Assert.True(stored.eq(value).all().item<bool>(), $"{key} differs after loading");
        }
        using var norm = weights.Load("blocks.0.attn1.norm_q.weight", ScalarType.Float32);
        Assert.True(norm.eq(1).all().item<bool>());

        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var output = transformer.Forward(randn(new long[] { 1, 4, 3, 6, 4 }), tensor(new long[] { 999 }), randn(1, 8, transformer.Config.TextDim));
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void Missing_shard_is_named()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        File.Delete(Path.Combine(TransformerFolder(root), "diffusion_pytorch_model-00002-of-00002.safetensors"));
        var error = Assert.Throws<WanCheckpointException>(() => WanModelFolder.Open(root).LoadTransformer().Dispose());
        Assert.Equal("transformer", error.Component);
        Assert.Contains("diffusion_pytorch_model-00002-of-00002.safetensors", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Wrong_shape_is_named_with_both_shapes()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        // The config now asks for a wider FFN than the checkpoint holds.
        File.WriteAllText(Path.Combine(TransformerFolder(root), "config.json"), (WanVariants.Configs(WanVariant.Tiny).Transformer with { FfnDim = 48 }).ToJson());
        var error = Assert.Throws<WanCheckpointException>(() => WanModelFolder.Open(root).LoadTransformer().Dispose());
        Assert.Contains("'blocks.0.ffn.net.0.proj.weight' has shape [40, 24] in the checkpoint but the config expects [48, 24]", error.Message);
        var mismatch = Assert.IsType<WeightMismatchException>(error.InnerException);
        Assert.Contains(mismatch.Mismatches, m => m.Contains("blocks.1.ffn.net.2.weight"));
    }

    [Fact]
    public void Missing_key_is_named()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        var index = JsonNode.Parse(File.ReadAllText(IndexPath(root)))!;
        Assert.True(index["weight_map"]!.AsObject().Remove("blocks.1.attn2.norm_k.weight"));
        File.WriteAllText(IndexPath(root), index.ToJsonString());
        var error = Assert.Throws<WanCheckpointException>(() => WanModelFolder.Open(root).LoadTransformer().Dispose());
        Assert.Contains("missing keys", error.Message);
        Assert.Contains("blocks.1.attn2.norm_k.weight", error.Message);
        Assert.Equal(["blocks.1.attn2.norm_k.weight"], Assert.IsType<WeightMismatchException>(error.InnerException).MissingKeys);
    }

    [Fact]
    public void Missing_component_folder_and_missing_model_index_are_named()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        var model = WanModelFolder.Open(root);
        Directory.Delete(Path.Combine(root, "vae"), recursive: true);
        var vae = Assert.Throws<WanCheckpointException>(() => model.LoadVae());
        Assert.Equal("vae", vae.Component);
        Assert.Contains("does not exist", vae.Message);
        var unlisted = Assert.Throws<WanCheckpointException>(() => model.ComponentPath("image_encoder"));
        Assert.Contains("does not list 'image_encoder'", unlisted.Message);

        File.Delete(Path.Combine(root, "model_index.json"));
        var index = Assert.Throws<WanCheckpointException>(() => WanModelFolder.Open(root));
        Assert.Contains("model_index.json not found", index.Message);
    }

    [Fact]
    public void TI2V_model_index_declares_expand_timesteps_and_no_second_transformer()
    {
        using var folder = new TempFolder();
        RandomWanFolder.WriteModelIndex(folder.Path, WanVariant.TI2V5B);
        var index = WanModelIndex.Load(folder.Combine("model_index.json"));
        Assert.True(index.ExpandTimesteps);
        Assert.Null(index.BoundaryRatio);
        Assert.False(index.Components.ContainsKey("transformer_2"));
        Assert.Equal("WanTransformer3DModel", index.Components["transformer"].ClassName);
    }

    [Fact]
    public void Scheduler_config_is_read_from_the_folder()
    {
        using var folder = new TempFolder();
        string root = WriteTiny(folder);
        using var scheduler = WanModelFolder.Open(root).CreateScheduler();
        Assert.Equal(3.0, scheduler.Config.FlowShift);
        Assert.Equal("bh2", scheduler.Config.SolverType);
        Assert.Equal(2, scheduler.Config.SolverOrder);
    }

    [Fact]
    public void Single_shard_transformer_has_no_index_and_still_loads()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, RandomWanFolder.DefaultMaxShardBytes);
        Assert.True(File.Exists(folder.Combine("transformer", "diffusion_pytorch_model.safetensors")));
        Assert.False(File.Exists(IndexPath(folder.Path)));
        using var transformer = WanModelFolder.Open(folder.Path).LoadTransformer(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, transformer.ComputeDtype);
    }
}
