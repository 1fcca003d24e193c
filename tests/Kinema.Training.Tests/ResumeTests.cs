using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training.Checkpoints;
using Kinema.Training.Data;
using Kinema.Training.Logging;

namespace Kinema.Training.Tests;

/// <summary>A run killed after a checkpoint and started again must end exactly where an uninterrupted run ends.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-train-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TrainingOptions Options(string name) => TinyRuns.Options(_root, name) with
    {
        Steps = 4,
        WarmupSteps = 1,
        CheckpointEvery = 2,
        LogEvery = 1,
        PrefetchDepth = 2,
        Buckets = ClipBucket.ParseList("64x64x1:2,64x64x5:1"),
    };

    private static readonly VideoVaeConfig TinyVae = ModelPresets.Tiny(4).Vae;

    private static byte[] Final(string run, string file) => File.ReadAllBytes(Path.Combine(run, "checkpoints", "step-0000004", file));

    [Fact]
    public void A_killed_vae_run_resumes_to_the_same_weights_optimizer_and_ema()
    {
        var straight = Options("straight");
        VaeTrainer.Run(straight, TinyVae, _ => { }, CancellationToken.None);
        var interrupted = Options("interrupted");
        VaeTrainer.Run(interrupted, TinyVae, _ => { }, CancellationToken.None);
        TinyRuns.KillAfterStep2(interrupted.RunFolder);
        var messages = new List<string>();
        VaeTrainer.Run(interrupted, TinyVae, messages.Add, CancellationToken.None);

        Assert.Contains(messages, m => m.Contains("resumed from") && m.Contains("step 2"));
        foreach (var file in new[] { CheckpointStore.WeightsFile, CheckpointStore.EmaFile, CheckpointStore.OptimizerFile })
            Assert.Equal(Final(straight.RunFolder, file), Final(interrupted.RunFolder, file));
    }

    [Fact]
    public void A_killed_transformer_run_resumes_to_the_same_weights()
    {
        string vaeFolder = Path.Combine(_root, "vae");
        TorchSharp.torch.manual_seed(0);
        using (var vae = new VideoVae(TinyVae)) VaeTrainer.Export(vae, TinyVae, vaeFolder);
        var shape = ModelPresets.Tiny(4);
        var straight = Options("dit-straight");
        DitTrainer.Run(straight, vaeFolder, shape, _ => { }, CancellationToken.None);
        var interrupted = Options("dit-interrupted");
        DitTrainer.Run(interrupted, vaeFolder, shape, _ => { }, CancellationToken.None);
        TinyRuns.KillAfterStep2(interrupted.RunFolder);
        DitTrainer.Run(interrupted, vaeFolder, shape, _ => { }, CancellationToken.None);

        Assert.Equal(Final(straight.RunFolder, CheckpointStore.WeightsFile), Final(interrupted.RunFolder, CheckpointStore.WeightsFile));
        Assert.Equal(Final(straight.RunFolder, CheckpointStore.EmaFile), Final(interrupted.RunFolder, CheckpointStore.EmaFile));
    }

    [Fact]
    public void The_log_keeps_one_row_per_step_after_a_resume()
    {
        var run = Options("log");
        VaeTrainer.Run(run, TinyVae, _ => { }, CancellationToken.None);
        TinyRuns.KillAfterStep2(run.RunFolder);
        VaeTrainer.Run(run, TinyVae, _ => { }, CancellationToken.None);
        var rows = TrainingLog.Read(Path.Combine(run.RunFolder, "log.csv"));
        Assert.Equal([1L, 2, 3, 4], rows.Select(r => r.Step).ToArray());
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "log.png")));
    }

    [Fact]
    public void A_finished_vae_run_exports_weights_with_latent_statistics()
    {
        var run = Options("export");
        VaeTrainer.Run(run, TinyVae, _ => { }, CancellationToken.None);
        using var vae = VaeTrainer.Load(Path.Combine(run.RunFolder, "export"), TorchSharp.torch.CPU);
        Assert.Equal(TinyVae.LatentChannels, vae.Config.LatentsMean.Length);
        Assert.All(vae.Config.LatentsStd, s => Assert.True(s > 0));
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "eval.json")));
    }
}
