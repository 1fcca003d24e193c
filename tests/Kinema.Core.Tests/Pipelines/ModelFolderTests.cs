using System.Text.Json.Nodes;
using Kinema.Pipelines;
using Kinema.Weights;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Pipelines;

public sealed class ModelFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-model-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string SaveTiny(ScalarType type = ScalarType.Float32)
    {
        string folder = Path.Combine(_root, "tiny");
        using var model = TinyModel.Create();
        model.Save(folder, type);
        return folder;
    }

    [Fact]
    public void A_saved_float32_model_loads_and_generates_exactly_what_the_original_did()
    {
        string folder = Path.Combine(_root, "tiny");
        using var original = TinyModel.Create();
        original.Save(folder, ScalarType.Float32);
        using var loaded = KinemaModel.Load(folder);
        var a = new TextToVideoPipeline(original).Generate(TinyModel.Request());
        var b = new TextToVideoPipeline(loaded).Generate(TinyModel.Request());
        Assert.All(a.Frames.Zip(b.Frames), p => Assert.True(p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void Float16_weights_are_stored_as_F16_and_load_into_float32_modules()
    {
        string folder = SaveTiny(ScalarType.Float16);
        using (var file = SafeTensorsFile.Open(Path.Combine(folder, KinemaModel.TransformerFile)))
            Assert.All(file.Entries.Values, e => Assert.Equal("F16", e.DType));
        using var loaded = KinemaModel.Load(folder);
        Assert.All(loaded.Transformer.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void A_truncated_weights_file_is_a_clear_error_naming_the_file()
    {
        string folder = SaveTiny();
        string vae = Path.Combine(folder, KinemaModel.VaeFile);
        var bytes = File.ReadAllBytes(vae);
        File.WriteAllBytes(vae, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<SafeTensorsFormatException>(() => KinemaModel.Load(folder));
        Assert.Contains(KinemaModel.VaeFile, e.Message);
    }

    [Fact]
    public void A_config_that_disagrees_with_the_weights_names_the_key_and_both_shapes()
    {
        string folder = SaveTiny();
        string configPath = Path.Combine(folder, ModelConfig.FileName);
        var json = JsonNode.Parse(File.ReadAllText(configPath))!;
        json["transformer"]!["mlp_ratio"] = 2.0;
        File.WriteAllText(configPath, json.ToJsonString());
        var e = Assert.Throws<WeightMismatchException>(() => KinemaModel.Load(folder));
        Assert.Contains("mlp.fc1.weight", e.Message);
        Assert.Contains("[128, 32]", e.Message);                               // checkpoint: 4 x 32
        Assert.Contains("[64, 32]", e.Message);                                // config now: 2 x 32
    }

    [Fact]
    public void A_missing_weights_file_names_it()
    {
        string folder = SaveTiny();
        File.Delete(Path.Combine(folder, KinemaModel.TextEncoderFile));
        var e = Assert.Throws<FileNotFoundException>(() => KinemaModel.Load(folder));
        Assert.Contains(KinemaModel.TextEncoderFile, e.Message);
    }

    [Fact]
    public void An_invalid_config_is_a_clear_error()
    {
        string folder = SaveTiny();
        File.WriteAllText(Path.Combine(folder, ModelConfig.FileName), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => KinemaModel.Load(folder));
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void Saving_over_an_existing_model_replaces_it_whole()
    {
        string folder = SaveTiny();
        File.WriteAllText(Path.Combine(folder, "stale.txt"), "from before");
        using var model = TinyModel.Create(seed: 5);
        model.Save(folder);
        Assert.False(File.Exists(Path.Combine(folder, "stale.txt")));
        Assert.DoesNotContain(Directory.GetDirectories(_root), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void The_guidance_min_sigma_saved_with_a_model_is_its_default_and_older_configs_guide_every_step()
    {
        var config = TinyModel.Config();
        string path = Path.Combine(_root, "config.json");
        File.WriteAllText(path, (config with { Defaults = config.Defaults with { GuidanceMinSigma = 0.4 } }).ToJson());
        Assert.Contains("\"guidance_min_sigma\": 0.4", File.ReadAllText(path));
        Assert.Equal(0.4, VideoRequestValidator.Resolve(new VideoRequest { Prompt = "a ball" }, ModelConfig.Load(path)).GuidanceMinSigma);

        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "\\s*\"guidance_min_sigma\": 0.4,", ""));
        Assert.DoesNotContain("guidance_min_sigma", File.ReadAllText(path));
        Assert.Equal(0, ModelConfig.Load(path).Defaults.GuidanceMinSigma);
    }

    [Fact]
    public void The_eta_saved_with_a_model_is_its_default_and_older_configs_re_noise_fully()
    {
        var config = TinyModel.Config();
        string path = Path.Combine(_root, "config.json");
        File.WriteAllText(path, (config with { Defaults = config.Defaults with { Eta = 0.8 } }).ToJson());
        Assert.Contains("\"eta\": 0.8", File.ReadAllText(path));
        Assert.Equal(0.8, VideoRequestValidator.Resolve(new VideoRequest { Prompt = "a ball" }, ModelConfig.Load(path)).Eta);

        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "\\s*\"eta\": 0.8,", ""));
        Assert.DoesNotContain("\"eta\"", File.ReadAllText(path));
        Assert.Equal(1.0, ModelConfig.Load(path).Defaults.Eta);
    }

    [Fact]
    public void The_config_round_trips_through_json()
    {
        var config = TinyModel.Config();
        string path = Path.Combine(_root, "config.json");
        File.WriteAllText(path, config.ToJson());
        var loaded = ModelConfig.Load(path);
        Assert.Equal(config.ToJson(), loaded.ToJson());
    }
}
