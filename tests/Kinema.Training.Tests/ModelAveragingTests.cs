using Kinema.Pipelines;
using Kinema.Text;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema train average`: a model and its fine-tune blended parameter by parameter, refused across VAEs.</summary>
public sealed class ModelAveragingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-average-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Save(string name, long seed, string? vaeFrom = null)
    {
        var tokenizer = new WordTokenizer(CaptionVocabularyBuilder.Collect(50), ModelPresets.Tiny(1).TextEncoder.MaxLength);
        using var model = KinemaModel.CreateRandom(ModelPresets.Tiny(tokenizer.Vocabulary.Count) with { Name = name }, tokenizer, seed);
        string folder = Path.Combine(_root, name);
        model.Save(folder);
        if (vaeFrom is not null) File.Copy(Path.Combine(vaeFrom, KinemaModel.VaeFile), Path.Combine(folder, KinemaModel.VaeFile), overwrite: true);
        return folder;
    }

    private static float[] FirstBlockWeights(string folder)
    {
        using var model = KinemaModel.Load(folder, new ModelLoadOptions { Device = "cpu", ComputeType = ScalarType.Float32 });
        var (_, weight) = model.Transformer.named_parameters().First(p => p.name.StartsWith("blocks.0.", StringComparison.Ordinal) && p.parameter.dim() == 2);
        return weight.data<float>().ToArray();
    }

    [Fact]
    public void The_average_is_the_weighted_sum_of_both_models_parameters()
    {
        string a = Save("a", 1), b = Save("b", 2, vaeFrom: a), output = Path.Combine(_root, "soup");
        ModelAveraging.Average(a, b, 0.25, output, "soup");

        float[] wa = FirstBlockWeights(a), wb = FirstBlockWeights(b), mixed = FirstBlockWeights(output);
        Assert.NotEqual(wa, wb);
        for (int i = 0; i < mixed.Length; i++)
            Assert.InRange(mixed[i] - (0.75f * wa[i] + 0.25f * wb[i]), -2e-3f, 2e-3f);   // stored as f16
        Assert.Contains("\"name\": \"soup\"", File.ReadAllText(Path.Combine(output, ModelConfig.FileName)));
    }

    [Fact]
    public void Models_with_different_vaes_are_refused()
    {
        string a = Save("a", 1), b = Save("b", 2);
        var error = Assert.Throws<ArgumentException>(() => ModelAveraging.Average(a, b, 0.5, Path.Combine(_root, "soup"), "soup"));
        Assert.Contains("different VAE weights", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "soup")));
    }

    [Fact]
    public void A_weight_outside_0_to_1_is_refused_by_name()
        => Assert.Contains("--weight", Assert.Throws<ArgumentException>(() => ModelAveraging.Average("a", "b", 1.5, Path.Combine(_root, "x"), "x")).Message);
}
