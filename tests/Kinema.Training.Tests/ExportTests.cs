using Kinema.Models;
using Kinema.Pipelines;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema train export --run RUN --vae VAE`: the model folder takes the VAE's own config with its weights.</summary>
public sealed class ExportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-export-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly float[] Mean = [0.5f, -1f, 2f, 0f];
    private static readonly float[] Std = [1f, 2f, 0.5f, 3f];

    private string ExportVae(string name, VideoVaeConfig config)
    {
        string folder = Path.Combine(_root, name);
        manual_seed(0);
        using var vae = new VideoVae(config);
        VaeTrainer.Export(vae, config, folder);
        return folder;
    }

    /// <summary>A two-step run on a VAE with latent statistics, so the statistics check has something to compare.</summary>
    private (string Run, VideoVaeConfig Vae) Run()
    {
        var vae = ModelPresets.Tiny(4).Vae with { LatentsMean = Mean, LatentsStd = Std };
        string vaeFolder = ExportVae("vae", vae);
        var options = TinyRuns.Options(_root, "run") with { Steps = 2 };
        DitTrainer.Run(options, vaeFolder, ModelPresets.Tiny(4), _ => { }, CancellationToken.None);
        return (options.RunFolder, vae);
    }

    [Fact]
    public void A_decoder_switched_to_linear_upsampling_is_exported_as_linear()
    {
        var (run, vae) = Run();
        Assert.Equal(TemporalUpsampling.Repeat, vae.TemporalUpsampling);
        string linear = ExportVae("vae-linear", vae with { TemporalUpsampling = TemporalUpsampling.Linear });
        string model = Path.Combine(_root, "model");
        DitTrainer.Export(run, linear, model, "switched");
        Assert.Equal(TemporalUpsampling.Linear, ModelConfig.Load(Path.Combine(model, "config.json")).Vae.TemporalUpsampling);
    }

    [Fact]
    public void A_vae_with_another_latent_space_is_refused_with_the_reason()
    {
        var (run, vae) = Run();
        string other = ExportVae("vae-other", vae with { LatentsStd = [1f, 1f, 1f, 1f] });
        var error = Assert.Throws<InvalidDataException>(() => DitTrainer.Export(run, other, Path.Combine(_root, "model"), "mismatch"));
        Assert.Contains("latent statistics", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "model")));
    }
}
