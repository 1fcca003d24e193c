using System.Text.Json;
using Kinema.IO;
using Kinema.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Training;

/// <summary>
/// A weighted average of two fine-tunes of one model ("model soup", Wortsman et al. 2022): the text encoder and the
/// transformer become (1 − w)·A + w·B, parameter by parameter. Between a model and its own fine-tune this trades what
/// the fine-tune gained against what it lost (session 20: prompt adherence against the seams of extensions). Both
/// must have the same shapes, vocabulary and VAE; the result keeps A's sampling defaults.
/// </summary>
public static class ModelAveraging
{
    public static void Average(string folderA, string folderB, double weightB, string outputFolder, string name)
    {
        if (!(weightB >= 0 && weightB <= 1)) throw new ArgumentException($"--weight must be in [0, 1] (the share of the second model), got {weightB}");
        var cpu = new ModelLoadOptions { Device = "cpu", ComputeType = ScalarType.Float32 };
        using var a = KinemaModel.Load(folderA, cpu);
        using var b = KinemaModel.Load(folderB, cpu);
        string Shapes(ModelConfig c) => JsonSerializer.Serialize(new { c.TextEncoder, c.Transformer, c.Vae }, Json.Options);
        if (Shapes(a.Config) != Shapes(b.Config))
            throw new ArgumentException($"{folderA} and {folderB} differ in shape or VAE (config.json's text_encoder, transformer or vae); only fine-tunes of one model can be averaged");
        if (!a.Tokenizer.Vocabulary.SequenceEqual(b.Tokenizer.Vocabulary))
            throw new ArgumentException($"{folderA} and {folderB} have different vocabularies");
        using (no_grad())
        {
            foreach (var ((nameA, vaeA), (_, vaeB)) in a.Vae.state_dict().Zip(b.Vae.state_dict()))
                if (!vaeA.equal(vaeB).all().item<bool>()) throw new ArgumentException($"{folderA} and {folderB} have different VAE weights ({nameA}); their latents would not mean the same");
            Lerp(a.TextEncoder.state_dict(), b.TextEncoder.state_dict(), weightB);
            Lerp(a.Transformer.state_dict(), b.Transformer.state_dict(), weightB);
        }
        var averaged = KinemaModel.FromComponents(a.Config with { Name = name }, a.Tokenizer, a.TextEncoder, a.Transformer, a.Vae, a.Device, a.ComputeType);
        averaged.Save(outputFolder, ScalarType.Float16);
    }

    private static void Lerp(IDictionary<string, Tensor> into, IDictionary<string, Tensor> other, double weight)
    {
        using var share = weight.ToScalar();
        using var keep = (1 - weight).ToScalar();
        foreach (var (key, tensor) in into)
        {
            if (!tensor.is_floating_point()) continue;
            tensor.mul_(keep).add_(other[key], alpha: share);
        }
    }
}
