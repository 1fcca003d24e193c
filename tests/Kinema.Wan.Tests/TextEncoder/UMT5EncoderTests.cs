using Kinema.Wan.Loading;
using Kinema.Wan.RandomWeights;
using Kinema.Wan.TextEncoder;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.TextEncoder;

[Collection("torch")]
public sealed class UMT5EncoderTests
{
    // Small shards, so the loader is exercised on an index.
    private static void WriteTinyEncoder(TempFolder folder, int seed) =>
        TextEncoderRandomWriter.WriteEncoder(folder.Combine("text_encoder"), UMT5Config.Tiny, seed, maxShardBytes: 64 * 1024);

    [Fact]
    public void Relative_position_buckets_follow_t5_bidirectional_rule()
    {
        using var scope = NewDisposeScope();
        // 32 buckets: 16 per direction (+16 when the key is after the query), exact below 8,
        // then 8 + floor(ln(n/8) / ln(128/8) · 8), capped at 15.
        var buckets = UMT5EncoderModel.RelativePositionBuckets(301, 32, 128);
        long Bucket(int query, int key) => buckets[query, key].item<long>();
        Assert.Equal(0, Bucket(100, 100));
        Assert.Equal(17, Bucket(100, 101));   // +1: 16 + 1
        Assert.Equal(1, Bucket(100, 99));     // -1
        Assert.Equal(7, Bucket(100, 93));     // -7: exact
        Assert.Equal(8, Bucket(100, 92));     // -8: 8 + floor(ln 1 · …) = 8
        Assert.Equal(10, Bucket(100, 80));    // -20: ln(2.5)/ln(16)·8 = 2.64 → 10
        Assert.Equal(15, Bucket(200, 73));    // -127: ln(15.875)/ln(16)·8 = 7.98 → 15
        Assert.Equal(15, Bucket(200, 72));    // -128: 8 + 8 = 16, capped at 15
        Assert.Equal(31, Bucket(0, 300));     // +300: 16 + 15
        Assert.Equal(16 + 12, Bucket(0, 40)); // +40: ln(5)/ln(16)·8 = 4.64 → 16 + 12
    }

    [Fact]
    public void Encode_gives_512_rows_zero_beyond_each_prompt_and_ignores_padding()
    {
        using var folder = new TempFolder();
        RandomWanFolder.Write(folder.Path, WanVariant.Tiny, seed: 3);
        using var encoder = WanModelFolder.Open(folder.Path).LoadTextEncoder(ScalarType.Float32);
        using var scope = NewDisposeScope();

        string[] prompts = ["a red fox jumps", "two cats"];
        var lengths = encoder.Tokenizer.EncodeBatch(prompts).Lengths;
        var context = encoder.Encode(prompts);
        Assert.Equal(new long[] { 2, 512, UMT5Config.Tiny.DModel }, context.shape);
        Assert.True(context.isfinite().all().item<bool>());
        for (int i = 0; i < prompts.Length; i++)
        {
            var real = context[i].narrow(0, 0, lengths[i]);
            var padded = context[i].narrow(0, lengths[i], 512 - lengths[i]);
            Assert.True(real.abs().sum(1).gt(0).all().item<bool>(), "every real row (eos included) carries a non-zero embedding");
            Assert.Equal(0.0, padded.abs().max().item<float>());
        }

        // The mask keeps padding out of attention: a prompt encodes the same alone or next to a longer one.
        var alone = encoder.Encode([prompts[1]]);
        Assert.True(alone[0].allclose(context[1], rtol: 1e-5, atol: 1e-6));

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        encoder.Encode(prompts).Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Random_folder_round_trips_strictly_through_the_sharded_checkpoint()
    {
        using var folder = new TempFolder();
        WriteTinyEncoder(folder, seed: 5);
        string textEncoder = folder.Combine("text_encoder");
        Assert.True(File.Exists(Path.Combine(textEncoder, "model.safetensors.index.json")));
        Assert.True(Directory.GetFiles(textEncoder, "model-*-of-*.safetensors").Length > 1, "the tiny variant is sharded to exercise the index");

        using var model = WanTextEncoder.LoadEncoder(textEncoder, ScalarType.Float32);
        using var source = ShardedSafeTensors.Open(textEncoder);
        Assert.Equal("BF16", source.Entries[UMT5Weights.EmbeddingKey].DType);
        var state = model.state_dict();
        Assert.Equal(source.Entries.Keys.Order(), state.Keys.Order());
        Assert.Equal(TextEncoderRandomWriter.Plan(UMT5Config.Tiny).Select(p => p.Name).Order(), state.Keys.Order());
        using var scope = NewDisposeScope();
        foreach (string key in new[] { UMT5Weights.EmbeddingKey, "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", "encoder.block.0.layer.1.DenseReluDense.wo.weight" })
            Assert.True(state[key].allclose(source.Load(key, ScalarType.Float32), rtol: 0, atol: 0), key);
    }

    [Fact]
    public void Xxl_plan_is_umt5_xxl_encoder()
    {
        var plan = TextEncoderRandomWriter.Plan(UMT5Config.Xxl);
        Assert.Equal(1 + 24 * 10 + 1, plan.Count);
        // wan-spec.md §4.1: 5,680,910,336 parameters (1.05 B of them the embedding).
        Assert.Equal(5_680_910_336L, plan.Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b)));
        Assert.Equal(new long[] { 256_384, 4096 }, plan.Single(p => p.Name == UMT5Weights.EmbeddingKey).Shape);
        Assert.Equal(new long[] { 32, 64 }, plan.Single(p => p.Name == "encoder.block.23.layer.0.SelfAttention.relative_attention_bias.weight").Shape);
        Assert.Equal(new long[] { 4096, 10_240 }, plan.Single(p => p.Name == "encoder.block.0.layer.1.DenseReluDense.wo.weight").Shape);
    }

    [Fact]
    public void Half_precision_keeps_wo_in_fp32_like_transformers()
    {
        using (var cast = new UMT5EncoderModel(UMT5Config.Tiny).ToWeightsDType(ScalarType.BFloat16))
            Assert.Equal(ScalarType.Float32, cast.state_dict()["encoder.block.1.layer.1.DenseReluDense.wo.weight"].dtype);

        using var folder = new TempFolder();
        WriteTinyEncoder(folder, seed: 8);
        using var model = WanTextEncoder.LoadEncoder(folder.Combine("text_encoder")); // bf16 by default
        var state = model.state_dict();
        Assert.Equal(ScalarType.Float32, state["encoder.block.0.layer.1.DenseReluDense.wo.weight"].dtype);
        Assert.Equal(ScalarType.BFloat16, state["encoder.block.0.layer.1.DenseReluDense.wi_0.weight"].dtype);
        using var scope = NewDisposeScope();
        var ids = randint(0, UMT5Config.Tiny.VocabSize, new long[] { 1, 7 });
        var output = model.forward(ids, ones(1, 7, dtype: ScalarType.Int64));
        Assert.Equal(ScalarType.BFloat16, output.dtype);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void Tied_embedding_name_is_accepted_and_missing_or_misshapen_keys_are_named()
    {
        using var folder = new TempFolder();
        var config = UMT5Config.Tiny;
        TextEncoderRandomWriter.WriteEncoder(folder.Path, config, seed: 1, ScalarType.Float32, maxShardBytes: long.MaxValue);
        string file = folder.Combine("model.safetensors");
        Dictionary<string, Tensor> tensors;
        using (var source = ShardedSafeTensors.Open(file))
            tensors = source.Entries.Keys.ToDictionary(k => k, k => source.Load(k));

        // transformers may keep encoder.embed_tokens.weight instead of shared.weight.
        var renamed = tensors.Where(p => p.Key != UMT5Weights.EmbeddingKey).Append(new(UMT5Weights.TiedEmbeddingKey, tensors[UMT5Weights.EmbeddingKey]));
        SafeTensors.Save(file, renamed);
        using (var model = WanTextEncoder.LoadEncoder(folder.Path, ScalarType.Float32))
        using (no_grad())
            Assert.True(model.state_dict()[UMT5Weights.EmbeddingKey].allclose(tensors[UMT5Weights.EmbeddingKey], rtol: 0, atol: 0));

        const string dropped = "encoder.block.1.layer.0.SelfAttention.k.weight";
        SafeTensors.Save(file, tensors.Where(p => p.Key != dropped));
        var missing = Assert.Throws<WeightMismatchException>(() => WanTextEncoder.LoadEncoder(folder.Path, ScalarType.Float32).Dispose());
        Assert.Contains(dropped, missing.MissingKeys);
        Assert.Contains(dropped, missing.Message);

        (config with { DFf = config.DFf * 2 }).Save(folder.Combine("config.json"));
        SafeTensors.Save(file, tensors);
        var shape = Assert.Throws<WeightMismatchException>(() => WanTextEncoder.LoadEncoder(folder.Path, ScalarType.Float32).Dispose());
        Assert.Contains("encoder.block.0.layer.1.DenseReluDense.wi_0.weight", shape.Message);
        foreach (var t in tensors.Values) t.Dispose();
    }
}
