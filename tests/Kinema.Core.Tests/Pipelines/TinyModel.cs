using Kinema.Pipelines;
using Kinema.Runtime;
using Kinema.Text;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Pipelines;

internal static class TinyModel
{
    public static readonly string[] Words = ["a", "red", "ball", "blue", "cube", "bounces", "on", "green", "grass"];

    public static ModelConfig Config()
    {
        var config = ModelPresets.Tiny(vocabularySize: Words.Length + 3);
        return config with { Limits = config.Limits with { MinSize = 16 } };
    }

    /// <summary>A random tiny model whose output heads are perturbed, so generations depend on every input.</summary>
    public static KinemaModel Create(long seed = 0)
    {
        TorchRuntime.EnsureLoaded();
        var config = Config();
        var model = KinemaModel.CreateRandom(config, new WordTokenizer(Words, config.TextEncoder.MaxLength), seed);
        manual_seed(seed + 100);
        using var noGrad = no_grad();
        foreach (var p in model.Transformer.parameters()) p.add_(randn_like(p) * 0.05);
        return model;
    }

    public static VideoRequest Request(long seed = 7) => new()
    {
        Prompt = "a red ball bounces on green grass",
        Seconds = 1,
        Fps = 8,
        Width = 32,
        Height = 48,
        Steps = 3,
        Guidance = 3,
        Seed = seed,
    };
}
