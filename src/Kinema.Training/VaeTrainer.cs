using Kinema.Runtime;
using System.Text.Json;
using Kinema.IO;
using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training.Data;
using Kinema.Training.Evaluation;
using Kinema.Training.Losses;
using Kinema.Weights;
using Kinema.World;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Training;

/// <summary>
/// Stage 1: the video VAE, on toy-world clips of mixed sizes and lengths. Loss = L1 + w·(1 − SSIM) + β·KL.
/// At the end the EMA weights are exported with per-channel latent statistics (RUN/export/vae.json +
/// vae.safetensors), which stage 2 loads.
/// </summary>
public static class VaeTrainer
{
    public const string ConfigFile = "vae.json";
    private const string RunConfigFile = "vae-config.json";

    public static void Run(TrainingOptions options, VideoVaeConfig config, Action<string> say, CancellationToken cancellation)
    {
        options.Validate();
        Directory.CreateDirectory(options.RunFolder);
        config = LoadOrStoreConfig(options.RunFolder, config);
        var device = TrainingLoop.ResolveDevice(options.Device);
        manual_seed(options.Seed);
        using var vae = new VideoVae(config);
        vae.InitializeWeights();
        if (options.InitFrom is not null && new Checkpoints.CheckpointStore(options.RunFolder).LatestPath() is null)
            WarmStart(vae, options.InitFrom, options.InflateFromImages, say);
        if (options.DecoderOnly)
        {
            vae.FreezeEncoder();
            say("vae: training the decoder only; the encoder and latent statistics stay those of " + options.InitFrom);
        }
        using var ema = new VideoVae(config);
        vae.to(device); ema.to(device); ema.eval();
        var source = new WorldBatchSource(options.Buckets, options.Seed, options.Fps);

        var loop = new TrainingLoop("vae", options, vae, ema, say)
        {
            Validation = step => VaeEvaluation.Run(ema, device, count: Math.Min(4, options.EvaluationClips), seed: 1_000_000, judge: false).Psnr,
        };
        loop.Run(source.Make, (batch, step) => Loss(vae, batch, step, options, device), cancellation);

        say("vae: computing latent statistics and exporting");
        // Decoder-only: the source's own statistics, so its transformers' latents are normalised exactly as before.
        var (latentsMean, latentsStd) = options.DecoderOnly
            ? SourceStatistics(options.InitFrom!)
            : LatentStatistics(ema, device, options.Seed, options.StatisticsClips);
        var exported = config with { LatentsMean = latentsMean, LatentsStd = latentsStd };
        Export(ema, exported, Path.Combine(options.RunFolder, "export"));
        var report = VaeEvaluation.Run(ema, device, count: options.EvaluationClips, seed: 2_000_000);
        File.WriteAllText(Path.Combine(options.RunFolder, "eval.json"), JsonSerializer.Serialize(report, Json.Options));
        say($"vae: held-out PSNR {report.Psnr:0.00} dB, SSIM {report.Ssim:0.0000} over {report.Clips} clips");
    }

    /// <summary>Starts a new run from another VAE of the same shape, optionally inflating an image-trained one.</summary>
    private static void WarmStart(VideoVae vae, string folder, bool inflate, Action<string> say)
    {
        var (config, weightsPath) = Locate(folder);
        // The time-doubling shortcut has no weights, so a run may switch it (a new decoder on the same latents).
        var sameShape = config with { LatentsMean = vae.Config.LatentsMean, LatentsStd = vae.Config.LatentsStd, TemporalUpsampling = vae.Config.TemporalUpsampling };
        bool lessTimeCompression = DropsTimeStagesOnly(config.TemporalDownsample, vae.Config.TemporalDownsample);
        if (lessTimeCompression) sameShape = sameShape with { TemporalDownsample = vae.Config.TemporalDownsample };
        if (JsonSerializer.Serialize(sameShape, Json.Options) != JsonSerializer.Serialize(vae.Config, Json.Options))
            throw new ArgumentException($"--init-from {folder}: its VAE shape differs from this run's preset");
        using (var weights = ShardedSafeTensors.Open(weightsPath))
        {
            if (!lessTimeCompression) StateDictLoader.Load(vae, weights, "vae (--init-from)");
            else
            {
                var missing = StateDictLoader.LoadMatching(vae, weights);
                if (missing.Count > 0) throw new ArgumentException($"--init-from {folder}: no weights for {string.Join(", ", missing)}");
            }
        }
        if (inflate) vae.InflateFromImages();
        say($"vae: warm start from {folder}{(inflate ? ", inflated (frame-mixing weights zeroed)" : "")}"
            + (config.TemporalUpsampling != vae.Config.TemporalUpsampling ? $", time doubled by {vae.Config.TemporalUpsampling.ToString().ToLowerInvariant()} in place of {config.TemporalUpsampling.ToString().ToLowerInvariant()}" : "")
            + (lessTimeCompression ? $", time compressed {vae.Config.TemporalCompression}x in place of {config.TemporalCompression}x (the dropped stages' time convolutions left behind)" : ""));
    }

    /// <summary>
    /// True when the run halves time at a subset of the stages the source did: every weight then carries over but the
    /// dropped stages' time-halving and time-doubling convolutions.
    /// </summary>
    private static bool DropsTimeStagesOnly(bool[] source, bool[] run)
        => source.Length == run.Length && !source.SequenceEqual(run) && run.Zip(source).All(stage => !stage.First || stage.Second);

    internal static Tensor Loss(VideoVae vae, TrainingBatch batch, long step, TrainingOptions options, Device device)
    {
        var video = FrameConversion.ToTensor(batch.Samples.SelectMany(s => s.Frames).ToList())  // (1, 3, B*T, H, W)
            .view(3, batch.Samples.Count, batch.Bucket.Frames, batch.Bucket.Height, batch.Bucket.Width)
            .permute(1, 0, 2, 3, 4).contiguous().to(device);                                  // (B, 3, T, H, W)
        // Held Scalars (see Ssim.Mean): implicit ones can be finalised while libtorch reads them.
        using var one = 1.0.ToScalar();
        using var half = 0.5.ToScalar();
        using var two = 2.0.ToScalar();
        var (mean, logVariance) = vae.EncodeDistribution(video);
        using var generator = TrainingLoop.StepGenerator(options.Seed, step, 0);
        var noise = randn(mean.shape, generator: generator).to(device);
        var latents = mean.Plus(logVariance.mul(half).exp() * noise);
        var reconstruction = vae.DecodeForTraining(latents);
        var error = (reconstruction - video).abs();
        var l1 = options.ObjectWeight == 1.0 ? error.mean() : WeightedMean(error, ObjectWeights.Pixels(batch, options.ObjectWeight, options.Fps, device));
        using var ssimWeight = options.SsimWeight.ToScalar();
        using var klWeight = options.KlWeight.ToScalar();
        using var temporalWeight = options.TemporalWeight.ToScalar();
        var structural = Ssim.Mean(reconstruction, video).neg().add(one, one);
        var kl = (mean.pow(two).Plus(logVariance.exp()) - logVariance).sub(one).mean().mul(half);
        var loss = l1.Plus(structural.mul(ssimWeight)).Plus(kl.mul(klWeight));
        if (options.TemporalWeight != 0) loss = loss.Plus(TemporalDifference.Mean(reconstruction, video).mul(temporalWeight));
        if (options.StepEnergyWeight != 0) loss = loss.Plus(TemporalDifference.StepEnergy(reconstruction, video).Times(options.StepEnergyWeight));
        return loss;
    }

    private static (float[] Mean, float[] Std) SourceStatistics(string folder)
    {
        var source = Locate(folder).Config;
        return (source.LatentsMean, source.LatentsStd);
    }

    private static Tensor WeightedMean(Tensor error, Tensor weights)
    {
        using var channels = error.shape[1].ToScalar();
        return (error * weights).sum() / weights.sum().mul(channels);
    }

    /// <summary>Per-channel mean and std of latent means over held-out clips, so the DiT sees ~N(0, 1).</summary>
    internal static (float[] Mean, float[] Std) LatentStatistics(VideoVae vae, Device device, int seed, int clips = 32)
    {
        using var guard = no_grad();
        using var scope = NewDisposeScope();
        var all = new List<Tensor>();
        for (int i = 0; i < clips; i++)
        {
            var scene = SceneSampler.Sample(WorldBatchSource.Mix(seed, -1, i) & 0x3fffffff);
            var frames = SceneRenderer.Render(scene, new RenderSettings { Width = 128, Height = 128, Fps = 8, Seconds = 17 / 8.0, MaxDegreeOfParallelism = 1 });
            var (mean, _) = vae.EncodeDistribution(FrameConversion.ToTensor(frames).to(device));
            all.Add(mean.transpose(0, 1).reshape(mean.shape[1], -1));                     // (C, N)
        }
        var joined = cat(all, 1);
        var m = joined.mean(new long[] { 1 }).cpu().data<float>().ToArray();
        using var floor = 1e-4.ToScalar();   // held (HeldScalars)
        var s = joined.std(1).clamp_min(floor).cpu().data<float>().ToArray();
        return (m, s);
    }

    public static void Export(VideoVae vae, VideoVaeConfig config, string folder)
    {
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        SafeTensors.Save(Path.Combine(folder, KinemaModel.VaeFile), vae.state_dict().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.detach().cpu())).ToList());
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(config, Json.Options));
    }

    /// <summary>Loads an exported VAE (vae.json + vae.safetensors) or the VAE of a model folder.</summary>
    public static VideoVae Load(string folder, Device device)
    {
        var (config, weightsPath) = Locate(folder);
        var vae = new VideoVae(config);
        using (var weights = ShardedSafeTensors.Open(weightsPath)) StateDictLoader.Load(vae, weights, "vae");
        vae.to(device);
        vae.eval();
        return vae;
    }

    /// <summary>The config and weights file of a stage-1 export, a model folder, or a VAE run (its latest checkpoint's EMA).</summary>
    private static (VideoVaeConfig Config, string Weights) Locate(string folder)
    {
        string vaeJson = Path.Combine(folder, ConfigFile), runConfig = Path.Combine(folder, RunConfigFile);
        if (File.Exists(vaeJson))
            return (JsonSerializer.Deserialize<VideoVaeConfig>(File.ReadAllText(vaeJson), Json.Options)!, Path.Combine(folder, KinemaModel.VaeFile));
        if (File.Exists(runConfig))
        {
            // A run still in training, so it can be measured as it goes.
            string checkpoint = new Checkpoints.CheckpointStore(folder).LatestPath()
                ?? throw new FileNotFoundException($"{folder} is a VAE run without a checkpoint yet");
            return (JsonSerializer.Deserialize<VideoVaeConfig>(File.ReadAllText(runConfig), Json.Options)!, Path.Combine(checkpoint, Checkpoints.CheckpointStore.EmaFile));
        }
        return (ModelConfig.Load(Path.Combine(folder, ModelConfig.FileName)).Vae, Path.Combine(folder, KinemaModel.VaeFile));
    }

    private static VideoVaeConfig LoadOrStoreConfig(string run, VideoVaeConfig config)
    {
        string path = Path.Combine(run, RunConfigFile);
        if (File.Exists(path)) return JsonSerializer.Deserialize<VideoVaeConfig>(File.ReadAllText(path), Json.Options)!;
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(config, Json.Options));
        return config;
    }
}
