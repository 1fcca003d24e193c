using Kinema.Models;
using Kinema.Wan.Vae;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Vae;

[Collection("torch")]
public sealed class WanVaeTests
{
    private static AutoencoderKLWan Tiny(WanVaeConfig config, int seed)
    {
        manual_seed(seed);
        var vae = new AutoencoderKLWan(config);
        vae.eval();
        return vae;
    }

    [Fact]
    public void Real_configs_have_the_diffusers_key_set()
    {
        // Only names and shapes matter here; half precision halves the transient allocation.
        using (var wan21 = new AutoencoderKLWan(WanVaeConfig.Wan21, ScalarType.Float16))
        {
            var state = wan21.state_dict();
            Assert.Equal(194, state.Count); // wan-spec.md Appendix A: 194 tensors
            Assert.Equal(126_892_531, state.Values.Sum(t => t.numel()));
            AssertShape(state, "encoder.conv_in.weight", 96, 3, 3, 3, 3);
            AssertShape(state, "encoder.down_blocks.2.resample.1.weight", 96, 96, 3, 3);
            AssertShape(state, "encoder.down_blocks.5.time_conv.weight", 192, 192, 3, 1, 1);
            AssertShape(state, "encoder.down_blocks.3.conv_shortcut.weight", 192, 96, 1, 1, 1);
            AssertShape(state, "encoder.mid_block.attentions.0.norm.gamma", 384, 1, 1);
            AssertShape(state, "encoder.mid_block.attentions.0.to_qkv.weight", 1152, 384, 1, 1);
            AssertShape(state, "encoder.norm_out.gamma", 384, 1, 1, 1);
            AssertShape(state, "encoder.conv_out.weight", 32, 384, 3, 3, 3);
            AssertShape(state, "quant_conv.weight", 32, 32, 1, 1, 1);
            AssertShape(state, "post_quant_conv.weight", 16, 16, 1, 1, 1);
            AssertShape(state, "decoder.conv_in.weight", 384, 16, 3, 3, 3);
            AssertShape(state, "decoder.up_blocks.0.upsamplers.0.time_conv.weight", 768, 384, 3, 1, 1);
            AssertShape(state, "decoder.up_blocks.0.upsamplers.0.resample.1.weight", 192, 384, 3, 3);
            AssertShape(state, "decoder.up_blocks.1.resnets.0.conv_shortcut.weight", 384, 192, 1, 1, 1);
            AssertShape(state, "decoder.up_blocks.2.upsamplers.0.resample.1.weight", 96, 192, 3, 3);
            AssertShape(state, "decoder.up_blocks.3.resnets.2.conv2.weight", 96, 96, 3, 3, 3);
            AssertShape(state, "decoder.conv_out.weight", 3, 96, 3, 3, 3);
        }
        using (var wan22 = new AutoencoderKLWan(WanVaeConfig.Wan22, ScalarType.Float16))
        {
            var state = wan22.state_dict();
            Assert.Equal(196, state.Count); // wan-spec.md §A: 196 tensors
            AssertShape(state, "encoder.conv_in.weight", 160, 12, 3, 3, 3);
            AssertShape(state, "encoder.down_blocks.1.resnets.0.conv_shortcut.weight", 320, 160, 1, 1, 1);
            AssertShape(state, "encoder.down_blocks.1.downsampler.time_conv.weight", 320, 320, 3, 1, 1);
            AssertShape(state, "encoder.conv_out.weight", 96, 640, 3, 3, 3);
            AssertShape(state, "quant_conv.weight", 96, 96, 1, 1, 1);
            AssertShape(state, "post_quant_conv.weight", 48, 48, 1, 1, 1);
            AssertShape(state, "decoder.conv_in.weight", 1024, 48, 3, 3, 3);
            AssertShape(state, "decoder.up_blocks.0.upsampler.time_conv.weight", 2048, 1024, 3, 1, 1);
            AssertShape(state, "decoder.up_blocks.0.upsampler.resample.1.weight", 1024, 1024, 3, 3);
            AssertShape(state, "decoder.up_blocks.2.upsampler.resample.1.weight", 512, 512, 3, 3);
            AssertShape(state, "decoder.conv_out.weight", 12, 256, 3, 3, 3);
        }
    }

    private static void AssertShape(Dictionary<string, Tensor> state, string key, params long[] shape)
    {
        Assert.True(state.ContainsKey(key), $"missing key {key}");
        Assert.Equal(shape, state[key].shape);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encode_then_decode_shapes(bool wan22)
    {
        var config = wan22 ? WanVaeConfig.Tiny22 : WanVaeConfig.Tiny21;
        using var vae = Tiny(config, 11);
        using var scope = NewDisposeScope();
        int s = config.SpatialCompression;
        var video = rand(new long[] { 2, 3, 9, 2 * s, 3 * s }) * 2 - 1;
        var moments = vae.Encode(video);
        Assert.Equal(new long[] { 2, 2 * config.ZDim, 3, 2, 3 }, moments.shape);
        var mean = vae.EncodeMean(video);
        Assert.Equal(new long[] { 2, config.ZDim, 3, 2, 3 }, mean.shape);
        var decoded = vae.Decode(mean);
        Assert.Equal(video.shape, decoded.shape);
        Assert.True(decoded.isfinite().all().item<bool>());
        Assert.True(decoded.abs().max().item<float>() <= 1f);

        var frames = new List<long>();
        vae.Decode(mean, (_, chunk) => frames.Add(chunk.shape[2]));
        Assert.Equal(new long[] { 1, 4, 4 }, frames); // latent frame 0 → 1 frame, every later one → 4

        var roundTrip = vae.DenormalizeLatents(vae.NormalizeLatents(mean));
        Assert.True(roundTrip.allclose(mean, rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Chunked_decode_equals_whole_decode(bool wan22)
    {
        var config = wan22 ? WanVaeConfig.Tiny22 : WanVaeConfig.Tiny21;
        using var vae = Tiny(config, 12);
        using var scope = NewDisposeScope();
        var latents = randn(new long[] { 1, config.ZDim, 4, 2, 3 });
        var chunked = vae.DecodeUnclamped(latents);
        var whole = vae.DecodeWhole(latents, clamp: false);
        Assert.Equal(new long[] { 1, 3, 13, 2 * config.SpatialCompression, 3 * config.SpatialCompression }, chunked.shape);
        Assert.True(chunked.abs().lt(1).to(ScalarType.Float32).mean().item<float>() > 0.5f, "the comparison must not be hidden by the clamp");
        double diff = (chunked - whole).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"chunked and whole decode differ by {diff}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Chunked_encode_equals_whole_encode_and_is_causal(bool wan22)
    {
        var config = wan22 ? WanVaeConfig.Tiny22 : WanVaeConfig.Tiny21;
        using var vae = Tiny(config, 13);
        using var scope = NewDisposeScope();
        int s = config.SpatialCompression;
        var video = rand(new long[] { 1, 3, 13, s, 2 * s }) * 2 - 1;
        var chunked = vae.Encode(video);
        var whole = vae.EncodeWhole(video);
        double diff = (chunked - whole).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"chunked and whole encode differ by {diff}");

        // Latent frame 0 sees only video frame 0, latent frame 1 only frames 0-4.
        var changed = video.clone();
        changed.narrow(2, 5, 8).fill_(0.5);
        var other = vae.Encode(changed);
        Assert.True(other.narrow(2, 0, 2).allclose(chunked.narrow(2, 0, 2), rtol: 1e-5, atol: 1e-6));
        Assert.False(other.narrow(2, 2, 2).allclose(chunked.narrow(2, 2, 2)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tiled_decode_covers_the_frame_and_is_untiled_when_one_tile_suffices(bool wan22)
    {
        var config = wan22 ? WanVaeConfig.Tiny22 : WanVaeConfig.Tiny21;
        using var vae = Tiny(config, 15);
        using var scope = NewDisposeScope();
        int s = config.SpatialCompression;
        var latents = randn(new long[] { 1, config.ZDim, 2, 3, 5 });
        var plain = vae.Decode(latents);
        // A tile as large as the frame: diffusers does not tile at all.
        var single = vae.Decode(latents, tiling: new WanVaeTiling(3 * s, 5 * s, 2 * s, 2 * s));
        Assert.True(single.allclose(plain, rtol: 0, atol: 0));
        // Tiles of 2 latent cells every cell: overlapping, blended, cropped back to the frame.
        var tiled = vae.Decode(latents, tiling: new WanVaeTiling(2 * s, 2 * s, s, s));
        Assert.Equal(plain.shape, tiled.shape);
        Assert.True(tiled.isfinite().all().item<bool>());
        Assert.False(tiled.allclose(plain));
    }

    [Fact]
    public void Encode_and_decode_leave_no_live_tensors_behind()
    {
        using var vae = Tiny(WanVaeConfig.Tiny22, 14);
        using var video = rand(new long[] { 1, 3, 5, 16, 16 }) * 2 - 1;
        using var latents = randn(new long[] { 1, 4, 3, 1, 1 });
        void Run()
        {
            using var moments = vae.Encode(video);
            using var decoded = vae.Decode(latents);
        }
        Run();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Run();
        Run();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_folder_loads_strictly_and_decodes_finite(bool wan22)
    {
        var config = wan22 ? WanVaeConfig.Tiny22 : WanVaeConfig.Tiny21;
        using var folder = new TempFolder();
        string vaeFolder = folder.Combine("vae");
        VaeRandomWriter.Write(vaeFolder, config, seed: 2);
        using var vae = AutoencoderKLWan.Load(vaeFolder);
        Assert.Equal(config, vae.Config, new ConfigComparer());
        using var source = ShardedSafeTensors.Open(vaeFolder);
        var state = vae.state_dict();
        Assert.Equal(source.Entries.Keys.Order(), state.Keys.Order());
        using var scope = NewDisposeScope();
        Assert.True(state["decoder.conv_out.weight"].allclose(source.Load("decoder.conv_out.weight"), rtol: 0, atol: 0));
        var decoded = vae.Decode(randn(new long[] { 1, vae.Config.ZDim, 2, 2, 2 }));
        Assert.True(decoded.isfinite().all().item<bool>());
    }

    [Fact]
    public void Missing_or_corrupt_weights_name_the_key()
    {
        using var folder = new TempFolder();
        VaeRandomWriter.Write(folder.Path, WanVaeConfig.Tiny21, seed: 4);
        string file = folder.Combine("diffusion_pytorch_model.safetensors");
        Dictionary<string, Tensor> tensors;
        using (var source = ShardedSafeTensors.Open(file))
            tensors = source.Entries.Keys.ToDictionary(k => k, k => source.Load(k));
        const string dropped = "decoder.up_blocks.0.upsamplers.0.time_conv.bias";
        SafeTensors.Save(file, tensors.Where(p => p.Key != dropped));
        var missing = Assert.Throws<WeightMismatchException>(() => AutoencoderKLWan.Load(folder.Path).Dispose());
        Assert.Contains(dropped, missing.Message);

        const string reshaped = "encoder.conv_in.weight";
        SafeTensors.Save(file, tensors.Select(p => p.Key == reshaped ? new KeyValuePair<string, Tensor>(p.Key, p.Value.narrow(0, 0, 2).contiguous()) : p));
        var shape = Assert.Throws<WeightMismatchException>(() => AutoencoderKLWan.Load(folder.Path).Dispose());
        Assert.Contains(reshaped, shape.Message);

        // A header whose offsets run past the end of the data (a truncated download).
        SafeTensors.Save(file, tensors);
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        Assert.Throws<SafeTensorsFormatException>(() => AutoencoderKLWan.Load(folder.Path).Dispose());
        foreach (var t in tensors.Values) t.Dispose();
    }

    private sealed class ConfigComparer : IEqualityComparer<WanVaeConfig>
    {
        public bool Equals(WanVaeConfig? a, WanVaeConfig? b) => a is not null && b is not null &&
            a.BaseDim == b.BaseDim && a.DecoderDim == b.DecoderDim && a.ZDim == b.ZDim && a.DimMult.SequenceEqual(b.DimMult) &&
            a.NumResBlocks == b.NumResBlocks && a.TemperalDownsample.SequenceEqual(b.TemperalDownsample) &&
            a.LatentsMean.SequenceEqual(b.LatentsMean) && a.LatentsStd.SequenceEqual(b.LatentsStd) && a.IsResidual == b.IsResidual &&
            a.InChannels == b.InChannels && a.OutChannels == b.OutChannels && a.PatchSize == b.PatchSize;

        public int GetHashCode(WanVaeConfig obj) => obj.ZDim;
    }
}
