using Kinema.Runtime;
using Kinema.Wan.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Transformer;

public class WanTransformerTests
{
    public WanTransformerTests() => TorchRuntime.EnsureLoaded();

    private static WanTransformer3D TinyModel(ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(1);
        var model = new WanTransformer3D(WanTransformerConfig.Tiny, dtype);
        // Default init leaves the modulation tables at zero; give them values so every path matters.
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.EndsWith("scale_shift_table", StringComparison.Ordinal)) parameter.normal_(0, 0.1);
        }
        model.eval();
        return model;
    }

    [Fact]
    public void State_dict_keys_and_shapes_equal_the_layout()
    {
        using var model = new WanTransformer3D(WanTransformerConfig.Tiny);
        var actual = model.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var expected = WanTransformerLayout.Tensors(WanTransformerConfig.Tiny).ToDictionary(t => t.Key, t => t.Shape);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(actual[key]), $"{key}: expected [{string.Join(",", shape)}], got [{string.Join(",", actual[key])}]");
    }

    [Theory]
    // Tensor and parameter counts derived independently in wan-spec.md §1 and §6.2.
    [InlineData("1.3B", 825, 1_418_996_800L)]
    [InlineData("14B", 1095, 14_288_491_584L)]
    [InlineData("5B", 825, 4_999_787_712L)]
    public void Real_configs_have_the_published_key_and_parameter_counts(string variant, int tensors, long parameters)
    {
        var config = variant switch { "1.3B" => WanTransformerConfig.T2V1_3B, "14B" => WanTransformerConfig.T2V14B, _ => WanTransformerConfig.TI2V5B };
        Assert.Equal(tensors, WanTransformerLayout.Tensors(config).Count());
        Assert.Equal(parameters, WanTransformerLayout.ParameterCount(config));
    }

    [Fact]
    public void Real_config_key_names_match_diffusers()
    {
        var keys = WanTransformerLayout.Tensors(WanTransformerConfig.T2V1_3B).ToDictionary(t => t.Key, t => t.Shape);
        Assert.Equal([1536L, 16, 1, 2, 2], keys["patch_embedding.weight"]);
        Assert.Equal([1536L, 4096], keys["condition_embedder.text_embedder.linear_1.weight"]);
        Assert.Equal([1536L, 256], keys["condition_embedder.time_embedder.linear_1.weight"]);
        Assert.Equal([9216L, 1536], keys["condition_embedder.time_proj.weight"]);
        Assert.Equal([1L, 6, 1536], keys["blocks.29.scale_shift_table"]);
        Assert.Equal([1536L], keys["blocks.0.attn2.norm_k.weight"]);
        Assert.Equal([1536L, 1536], keys["blocks.0.attn1.to_out.0.weight"]);
        Assert.Equal([1536L], keys["blocks.0.norm2.bias"]);
        Assert.Equal([8960L, 1536], keys["blocks.0.ffn.net.0.proj.weight"]);
        Assert.Equal([1536L, 8960], keys["blocks.0.ffn.net.2.weight"]);
        Assert.Equal([64L, 1536], keys["proj_out.weight"]);
        Assert.Equal([1L, 2, 1536], keys["scale_shift_table"]);
        Assert.Equal([192L, 3072], WanTransformerLayout.Tensors(WanTransformerConfig.TI2V5B).Single(t => t.Key == "proj_out.weight").Shape);
    }

    [Theory]
    [InlineData(1, 2, 2)]   // a single frame, a 1x1 token grid
    [InlineData(3, 6, 10)]  // odd frame count, odd 3x5 token grid
    [InlineData(5, 14, 6)]  // odd 7x3 token grid
    public void Output_has_the_input_shape_for_odd_latent_sizes(long frames, long height, long width)
    {
        using var model = TinyModel();
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var latents = randn(new long[] { 2, 4, frames, height, width });
        var output = model.Forward(latents, tensor(new long[] { 999, 10 }), randn(2, 7, 16));
        Assert.Equal(new long[] { 2, 4, frames, height, width }, output.shape);
        Assert.True(output.isfinite().all().item<bool>());
        Assert.True(output.abs().max().item<float>() > 0);
    }

    [Fact]
    public void Latent_size_not_divisible_by_the_patch_is_rejected_by_name()
    {
        using var model = TinyModel();
        using var latents = randn(new long[] { 1, 4, 2, 5, 4 });
        using var t = tensor(new long[] { 1 });
        using var context = randn(1, 3, 16);
        var error = Assert.Throws<ArgumentException>(() => model.Forward(latents, t, context));
        Assert.Contains("not divisible by the patch size 1x2x2", error.Message);
    }

    [Fact]
    public void Per_token_timesteps_that_are_all_equal_give_the_scalar_result()
    {
        using var model = TinyModel();
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var latents = randn(new long[] { 2, 4, 3, 4, 6 });
        var context = randn(2, 5, 16);
        long tokens = 3 * 2 * 3;
        var scalar = model.Forward(latents, tensor(new long[] { 700, 300 }), context);
        var perToken = model.Forward(latents, tensor(new float[] { 700, 300 }).view(2, 1).expand(2, tokens), context);
        Assert.True(allclose(scalar, perToken, rtol: 1e-5, atol: 1e-6), $"max diff {(scalar - perToken).abs().max().item<float>()}");
    }

    [Fact]
    public void TI2V_clean_first_frame_timesteps_change_the_result()
    {
        // Wan 2.2 TI2V: tokens of latent frame 0 get t = 0, the rest the current t. The result must differ from
        // the uniform-t result (the clean frame's modulation differs) and stay finite.
        using var model = TinyModel();
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var latents = randn(new long[] { 1, 4, 3, 4, 4 });
        var context = randn(1, 5, 16);
        long perFrame = 2 * 2, tokens = 3 * perFrame;
        var mask = ones(tokens);
        mask[TensorIndex.Slice(0, perFrame)] = zeros(perFrame);
        var timesteps = (mask * 900).unsqueeze(0);                                  // (1, tokens)
        var ti2v = model.Forward(latents, timesteps, context);
        var uniform = model.Forward(latents, tensor(new long[] { 900 }), context);
        Assert.Equal(uniform.shape, ti2v.shape);
        Assert.True(ti2v.isfinite().all().item<bool>());
        Assert.False(allclose(ti2v, uniform, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Per_token_timesteps_of_the_wrong_length_are_rejected()
    {
        using var model = TinyModel();
        using var latents = randn(new long[] { 1, 4, 1, 4, 4 });
        using var t = zeros(1, 5);
        using var context = randn(1, 3, 16);
        var error = Assert.Throws<ArgumentException>(() => model.Forward(latents, t, context));
        Assert.Contains("(batch, tokens) = [1, 4]", error.Message);
    }

    [Fact]
    public void Unpatchify_inverts_patchify()
    {
        using var scope = NewDisposeScope();
        int[] patch = [1, 2, 2];
        var video = randn(new long[] { 2, 3, 5, 6, 10 });
        var patches = WanTransformer3D.Patchify(video, patch);
        Assert.Equal(new long[] { 2, 5 * 3 * 5, 12 }, patches.shape);
        var back = WanTransformer3D.Unpatchify(patches, (5, 3, 5), patch, 3);
        Assert.True(video.eq(back).all().item<bool>());
        // Token 1 is (frame 0, row 0, column 1); its vector is (ph, pw, c) with c fastest.
        Assert.Equal(video[0, 2, 0, 1, 3].item<float>(), patches[0, 1, (1 * 2 + 1) * 3 + 2].item<float>());
    }

    [Fact]
    public void Bf16_model_keeps_diffusers_fp32_modules_and_runs()
    {
        using var model = new WanTransformer3D(WanTransformerConfig.Tiny, ScalarType.BFloat16);
        foreach (var (name, parameter) in model.named_parameters())
        {
            var expected = WanTransformer3D.KeepsFloat32(name) ? ScalarType.Float32 : ScalarType.BFloat16;
            Assert.True(parameter.dtype == expected, $"{name} is {parameter.dtype}, expected {expected}");
        }
        Assert.Equal(ScalarType.Float32, model.state_dict()["blocks.1.norm2.weight"].dtype);
        Assert.Equal(ScalarType.Float32, model.state_dict()["condition_embedder.time_embedder.linear_2.weight"].dtype);
        Assert.Equal(ScalarType.BFloat16, model.state_dict()["condition_embedder.time_proj.weight"].dtype);

        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var output = model.Forward(randn(new long[] { 1, 4, 2, 4, 4 }), tensor(new long[] { 500 }), randn(1, 3, 16));
        Assert.Equal(ScalarType.BFloat16, output.dtype);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void Config_round_trips_through_diffusers_json_and_fills_defaults()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("config.json");
        File.WriteAllText(path, WanTransformerConfig.TI2V5B.ToJson());
        var read = WanTransformerConfig.Load(path);
        Assert.Equal(48, read.InChannels);
        Assert.Equal(3072, read.InnerDim);
        Assert.Equal([1, 2, 2], read.PatchSize);

        // A minimal file as older diffusers versions wrote it: missing fields take the constructor defaults.
        File.WriteAllText(path, """{"_class_name": "WanTransformer3DModel", "num_attention_heads": 12, "ffn_dim": 8960, "num_layers": 30, "eps": 1e-06}""");
        read = WanTransformerConfig.Load(path);
        Assert.Equal(4096, read.TextDim);
        Assert.Equal(1024, read.RopeMaxSeqLen);
        Assert.Equal(WanTransformerConfig.RmsNormAcrossHeads, read.QkNorm);
    }

    [Fact]
    public void I2V_configs_are_rejected_with_a_reason()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("config.json");
        File.WriteAllText(path, (WanTransformerConfig.T2V14B with { ImageDim = 1280, AddedKvProjDim = 5120 }).ToJson());
        var error = Assert.Throws<NotSupportedException>(() => WanTransformerConfig.Load(path));
        Assert.Contains("I2V", error.Message);
    }
}
