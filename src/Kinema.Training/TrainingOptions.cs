using Kinema.Training.Data;

namespace Kinema.Training;

/// <summary>
/// Settings shared by both training stages. Saved in the run folder as training.json on the first start;
/// a resume with different settings is reported, because the schedule and the data stream depend on them.
/// </summary>
public sealed record TrainingOptions
{
    public required string RunFolder { get; init; }
    public string Device { get; init; } = "cpu";
    public int Steps { get; init; } = 1000;
    public double LearningRate { get; init; } = 3e-4;
    public int WarmupSteps { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.01;
    public double GradientClip { get; init; } = 1.0;
    public double EmaDecay { get; init; } = 0.999;
    public int Seed { get; init; }
    public int CheckpointEvery { get; init; } = 200;
    public int LogEvery { get; init; } = 10;
    /// <summary>Steps between validations (judge-scored samples for the DiT, PSNR for the VAE); 0 turns them off.</summary>
    public int ValidateEvery { get; init; } = 500;
    /// <summary>
    /// Batches rendered ahead, each on its own worker: at least 4, and one per core, so that a many-core GPU machine
    /// renders as fast as its GPU trains.
    /// </summary>
    public int PrefetchDepth { get; init; } = Math.Max(4, Environment.ProcessorCount);
    public double Fps { get; init; } = 8;
    public required IReadOnlyList<ClipBucket> Buckets { get; init; }

    // Stage 1 (VAE)
    public double KlWeight { get; init; } = 1e-6;
    public double SsimWeight { get; init; } = 0.2;
    /// <summary>
    /// Both stages: weight of <see cref="Losses.TemporalDifference"/>, which penalises judder at latent-frame boundaries
    /// (stage 1: <c>Mean</c> on decoded frames; stage 2: <c>LatentChangeError</c> on the clean-latent estimate); 0 leaves it out.
    /// </summary>
    public double TemporalWeight { get; init; }
    /// <summary>
    /// Stage 1: weight of <see cref="Losses.TemporalDifference.StepEnergy"/>, which asks every block to change as much
    /// from frame to frame as the source does; 0 leaves it out.
    /// </summary>
    public double StepEnergyWeight { get; init; }
    /// <summary>Clips used for the exported latent statistics and for the final held-out PSNR/SSIM.</summary>
    public int StatisticsClips { get; init; } = 32;
    public int EvaluationClips { get; init; } = 16;

    /// <summary>
    /// Both stages: how much more the loss weighs the objects (see <see cref="Losses.ObjectWeights"/>). Stage 1 weighs
    /// the L1 term on object pixels; stage 2 the velocity error on the latent voxels that encode them. 1 weighs all alike.
    /// </summary>
    public double ObjectWeight { get; init; } = 1.0;
    /// <summary>
    /// Stage 2: the object weight applies only to samples noised to σ at most this. At high σ the layout is unknown,
    /// and a weight there pulls the clean-image estimate towards object colours wherever an object might be: larger
    /// blobs. 1 weighs every noise level.
    /// </summary>
    public double ObjectWeightMaxSigma { get; init; } = 1.0;

    // Stage 2 (DiT + text encoder)
    public double CaptionDropout { get; init; } = 0.1;
    /// <summary>
    /// Shift of the training noise levels, as at inference: σ = shift·s / (1 + (shift − 1)·s) for logit-normal s. 1 keeps
    /// SD3's logit-normal. SD3 shifts for larger latent grids, where the same σ leaves more structure to copy from
    /// neighbours; with 1, a 32x32 latent grid saw σ above 0.9 in 1.4 % of samples while sampling at shift 3 spends 5
    /// of 20 steps there.
    /// </summary>
    public double SigmaShift { get; init; } = 1.0;
    public int ValidationSamples { get; init; } = 4;
    public int ValidationSteps { get; init; } = 20;
    /// <summary>
    /// Weights that start a new run (a warm start); ignored when the run resumes from its own checkpoint.
    /// Stage 2: a model folder whose text encoder and transformer to load (e.g. after the VAE changed).
    /// Stage 1: a VAE export, model folder or VAE run of the same shape.
    /// </summary>
    public string? InitFrom { get; init; }
    /// <summary>
    /// Stage 2 with <see cref="InitFrom"/>: load only what denoises (the transformer's blocks and latent layers) and
    /// start the text path fresh: the text encoder, the transformer's text projection and every cross-attention.
    /// For models whose text path collapsed (every model before the fix in session 9: they ignored the prompt).
    /// </summary>
    public bool FreshTextPath { get; init; }
    /// <summary>Stage 1 with <see cref="InitFrom"/>: zero the loaded VAE's frame-mixing weights first (see <c>VideoVae.InflateFromImages</c>).</summary>
    public bool InflateFromImages { get; init; }
    /// <summary>
    /// Stage 1 with <see cref="InitFrom"/>: train the decoder alone. The encoder and the exported latent statistics stay
    /// those of the source VAE, so a transformer trained on its latents works with the result unchanged.
    /// </summary>
    public bool DecoderOnly { get; init; }
    /// <summary>
    /// Stage 2: scenes per bucket that clips are drawn from (0: a new scene for every clip). With a pool, the frozen
    /// VAE's latents of each scene are cached (<see cref="LatentCacheFolder"/>) and reused, which on a CPU nearly halves
    /// a video step once the pool has been seen; captions are still drawn afresh each time.
    /// </summary>
    public int ScenePool { get; init; }
    /// <summary>Stage 2 with a <see cref="ScenePool"/>: the latent cache's folder (default RUN/latent-cache); runs on the same VAE may share one.</summary>
    public string? LatentCacheFolder { get; init; }
    /// <summary>Scenes whose captions (all styles) make up the vocabulary.</summary>
    public int VocabularyScenes { get; init; } = 20_000;

    /// <summary>Writes RUN/training.json on a new run; on a resumed run returns the settings that changed since.</summary>
    public IReadOnlyList<string> RecordOrCompare()
    {
        Directory.CreateDirectory(RunFolder);
        string path = Path.Combine(RunFolder, "training.json");
        var mine = Comparable();
        if (!File.Exists(path))
        {
            IO.AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(mine, IO.Json.Options));
            return [];
        }
        var saved = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path), IO.Json.Options) ?? [];
        // Settings at their defaults are not recorded, so a key only the saved run has is one this resume left out.
        return mine.Keys.Union(saved.Keys)
            .Where(key => !mine.TryGetValue(key, out var now) || !saved.TryGetValue(key, out var old) || old != now)
            .Select(key => $"{key}: {(saved.TryGetValue(key, out var old) ? old : "(unset)")} -> {(mine.TryGetValue(key, out var now) ? now : "(default)")}").ToList();
    }

    private Dictionary<string, string> Comparable()
    {
        var values = new Dictionary<string, string>
        {
            ["steps"] = Steps.ToString(), ["learning_rate"] = LearningRate.ToString("R"), ["warmup_steps"] = WarmupSteps.ToString(),
            ["seed"] = Seed.ToString(), ["buckets"] = ClipBucket.Format(Buckets), ["fps"] = Fps.ToString("R"),
            ["weight_decay"] = WeightDecay.ToString("R"), ["ema_decay"] = EmaDecay.ToString("R"), ["caption_dropout"] = CaptionDropout.ToString("R"),
        };
        if (SigmaShift != 1.0) values["sigma_shift"] = SigmaShift.ToString("R");   // runs recorded before the shift existed compare equal at 1
        if (DecoderOnly) values["decoder_only"] = "true";
        if (ObjectWeight != 1.0) values["object_weight"] = ObjectWeight.ToString("R");
        if (TemporalWeight != 0) values["temporal_weight"] = TemporalWeight.ToString("R");
        if (StepEnergyWeight != 0) values["step_energy_weight"] = StepEnergyWeight.ToString("R");
        if (ObjectWeightMaxSigma != 1.0) values["object_weight_max_sigma"] = ObjectWeightMaxSigma.ToString("R");
        if (ScenePool != 0) values["scene_pool"] = ScenePool.ToString();
        return values;
    }

    public void Validate()
    {
        var problems = new List<string>();
        if (Steps < 1) problems.Add($"steps must be >= 1, got {Steps}");
        if (!(LearningRate > 0)) problems.Add($"learning rate must be > 0, got {LearningRate}");
        if (WarmupSteps < 0) problems.Add("warmup steps must be >= 0");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) problems.Add($"EMA decay must be in [0, 1), got {EmaDecay}");
        if (CheckpointEvery < 1) problems.Add("checkpoint interval must be >= 1");
        if (LogEvery < 1) problems.Add("log interval must be >= 1");
        if (CaptionDropout is < 0 or > 1) problems.Add("caption dropout must be in [0, 1]");
        if (!(SigmaShift > 0) || double.IsInfinity(SigmaShift)) problems.Add($"sigma shift must be a finite number > 0, got {SigmaShift}");
        if (!(ObjectWeight >= 1) || double.IsInfinity(ObjectWeight)) problems.Add($"object weight must be a finite number >= 1, got {ObjectWeight}");
        if (!(ObjectWeightMaxSigma > 0 && ObjectWeightMaxSigma <= 1)) problems.Add($"object weight max sigma must be in (0, 1], got {ObjectWeightMaxSigma}");
        if (!(TemporalWeight >= 0) || double.IsInfinity(TemporalWeight)) problems.Add($"temporal weight must be a finite number >= 0, got {TemporalWeight}");
        if (!(StepEnergyWeight >= 0) || double.IsInfinity(StepEnergyWeight)) problems.Add($"step energy weight must be a finite number >= 0, got {StepEnergyWeight}");
        if (Buckets.Count == 0) problems.Add("at least one bucket is needed");
        if (ScenePool < 0) problems.Add($"scene pool must be >= 0 (0 = a new scene for every clip), got {ScenePool}");
        if (LatentCacheFolder is not null && ScenePool == 0) problems.Add("--latent-cache needs --scene-pool: without a pool no clip comes up twice");
        if (InflateFromImages && InitFrom is null) problems.Add("inflating needs --init-from: the image-trained VAE to inflate");
        if (DecoderOnly && InitFrom is null) problems.Add("--decoder-only needs --init-from: the VAE whose encoder to keep");
        if (DecoderOnly && InflateFromImages) problems.Add("--decoder-only and --inflate cannot be combined: inflating changes the encoder");
        if (FreshTextPath && InitFrom is null) problems.Add("--fresh-text needs --init-from: the model whose transformer to keep");
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
    }
}
