using System.Text.Json;
using Kinema.IO;
using Kinema.Media;
using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Runtime;
using Kinema.Text;
using Kinema.Training.Data;
using Kinema.Training.Evaluation;
using Kinema.Training.Losses;
using Kinema.World;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Training;

/// <summary>The modules stage 2 trains together: the text encoder and the transformer.</summary>
internal sealed class TextToVideoModules : nn.Module
{
    public readonly TextEncoder text_encoder;
    public readonly VideoDit transformer;

    public TextToVideoModules(ModelConfig config) : base(nameof(TextToVideoModules))
    {
        text_encoder = new TextEncoder(config.TextEncoder);
        transformer = new VideoDit(config.Transformer);
        RegisterComponents();
    }

    public void InitializeWeights()
    {
        text_encoder.InitializeWeights();
        transformer.InitializeWeights();
    }
}

/// <summary>
/// Stage 2: the diffusion transformer and text encoder on latents of the frozen stage-1 VAE, with the
/// rectified-flow objective, caption dropout (for classifier-free guidance), bucketed sizes and lengths,
/// and random clean-frame conditioning masks (image-to-video, extension, connection, loops).
/// </summary>
public static class DitTrainer
{
    public const string ModelConfigFile = "model-config.json";

    public static void Run(TrainingOptions options, string vaeFolder, ModelConfig shape, Action<string> say, CancellationToken cancellation)
    {
        options.Validate();
        Directory.CreateDirectory(options.RunFolder);
        var device = TrainingLoop.ResolveDevice(options.Device);
        using var vae = VaeTrainer.Load(vaeFolder, device);
        var (config, tokenizer) = LoadOrCreateConfig(options.RunFolder, shape, vae.Config, options.VocabularyScenes, say);
        if (JsonSerializer.Serialize(config.Vae, Json.Options) != JsonSerializer.Serialize(vae.Config, Json.Options))
            throw new ArgumentException($"--vae {vaeFolder} is not the VAE this run started with (its config or latent statistics differ from {ModelConfigFile}); use the same stage-1 export");
        manual_seed(options.Seed);
        using var modules = new TextToVideoModules(config);
        modules.InitializeWeights();
        if (options.InitFrom is not null && new Checkpoints.CheckpointStore(options.RunFolder).LatestPath() is null)
            WarmStart(modules, config, tokenizer, options.InitFrom, options.FreshTextPath, say);
        using var ema = new TextToVideoModules(config);
        modules.to(device); ema.to(device); ema.eval();
        var cache = options.ScenePool > 0 ? LatentCache.Open(options.LatentCacheFolder ?? Path.Combine(options.RunFolder, "latent-cache"), vae.Config, options.Fps, SplitName.Train) : null;
        if (cache is not null) say($"transformer: scenes drawn from a pool of {options.ScenePool} per bucket; their latents are cached in {cache.Folder}");
        var source = new WorldBatchSource(options.Buckets, options.Seed, options.Fps) { ScenePool = options.ScenePool, Cache = cache };

        var loop = new TrainingLoop("transformer", options, modules, ema, say)
        {
            Validation = step => Validate(options, config, tokenizer, ema, vae, device, step),
        };
        loop.Run(source.Make, (batch, step) => Loss(modules, vae, tokenizer, batch, step, options, device, cache), cancellation);
    }

    /// <summary>Logit-normal noise levels (SD3) from standard normal draws, shifted towards 1 by <paramref name="shift"/>.</summary>
    internal static Tensor NoiseLevels(Tensor normal, double shift)
    {
        var s = normal.sigmoid();
        if (shift == 1.0) return s;
        using var scope = NewDisposeScope();
        using var scale = shift.ToScalar();
        using var extra = (shift - 1.0).ToScalar();
        using var one = 1.0.ToScalar();
        return (s.mul(scale) / s.mul(extra).add(one, one)).MoveToOuterDisposeScope();
    }

    internal static Tensor Loss(TextToVideoModules modules, VideoVae vae, WordTokenizer tokenizer, TrainingBatch batch, long step, TrainingOptions options, Device device,
        LatentCache? cache = null)
    {
        int b = batch.Samples.Count;
        Tensor clean;
        Tensor? objectMask = null;
        if (options.ScenePool > 0) (clean, objectMask) = PooledLatents(vae, batch, options.Fps, device, cache);
        else
        {
            using (no_grad())
            {
                var video = FrameConversion.ToTensor(batch.Samples.SelectMany(s => s.Frames).ToList())
                    .view(3, b, batch.Bucket.Frames, batch.Bucket.Height, batch.Bucket.Width).permute(1, 0, 2, 3, 4).contiguous().to(device);
                clean = vae.Encode(video);                                                    // (B, C, t, h, w)
            }
        }
        long t = clean.shape[2];
        using var generator = TrainingLoop.StepGenerator(options.Seed, step, 1);
        var sigma = NoiseLevels(randn(new long[] { b }, generator: generator), options.SigmaShift).to(device);
        var noise = randn(clean.shape, generator: generator).to(device);

        var random = new Random(WorldBatchSource.Mix(options.Seed, step, 200_000));
        var known = new bool[b * t];
        var captions = new string[b];
        for (int i = 0; i < b; i++)
        {
            var mask = ConditioningMasks.Build(ConditioningMasks.SampleKind(random), (int)t, random);
            Array.Copy(mask, 0, known, i * t, t);
            captions[i] = random.NextDouble() < options.CaptionDropout ? "" : batch.Samples[i].Caption;
        }
        var knownFrames = tensor(known, dtype: ScalarType.Bool).view(b, t).to(device);
        var knownVoxels = knownFrames.view(b, 1, t, 1, 1);
        var s = sigma.view(b, 1, 1, 1, 1);
        using var thousand = 1000.0.ToScalar();   // held Scalars (see FrameConversion.ToTensor)
        using var one = 1.0.ToScalar();
        var noisy = where(knownVoxels, clean, (clean * (ones_like(s) - s)).Plus(noise * s));
        var timesteps = where(knownFrames, zeros_like(knownFrames, dtype: ScalarType.Float32), sigma.mul(thousand).view(b, 1).expand(b, t));

        var tokens = tokenizer.EncodeBatch(captions);
        var ids = tensor(tokens.Ids.Cast<long>().ToArray(), new long[] { b, tokens.Length }).to(device);
        var textMask = tensor(tokens.Mask.Cast<bool>().ToArray(), new long[] { b, tokens.Length }).to(device);
        var context = modules.text_encoder.forward(ids, textMask);
        var velocity = modules.transformer.Forward(noisy, timesteps, context, textMask);
        var target = noise - clean;
        var weight = (~knownVoxels).to(ScalarType.Float32).expand_as(target);
        if (options.ObjectWeight != 1.0)
        {
            using var extra = (options.ObjectWeight - 1.0).ToScalar();
            var objects = objectMask is not null ? objectMask.mul(extra).add(one, one)
                : ObjectWeights.Latents(ObjectWeights.Pixels(batch, options.ObjectWeight, options.Fps, device), vae.Config.SpatialCompression, vae.Config.TemporalCompression);
            if (options.ObjectWeightMaxSigma < 1.0)
            {
                using var maxSigma = options.ObjectWeightMaxSigma.ToScalar();
                objects = where(s.le(maxSigma), objects, ones_like(objects));
            }
            weight = weight * objects;
        }
        var error = velocity - target;
        var loss = (error.Squared() * weight).sum() / weight.sum().clamp_min(one);
        if (options.TemporalWeight == 0) return loss;
        var frameSigma = where(knownFrames, zeros_like(knownFrames, dtype: ScalarType.Float32), sigma.view(b, 1).expand(b, t));
        return loss.Plus(TemporalDifference.LatentChangeError(error, frameSigma).Times(options.TemporalWeight));
    }

    /// <summary>
    /// Latents (B, C, t, h, w) and object masks (B, 1, t, h, w; 1 where a voxel encodes an object) of a batch of pooled
    /// scenes: read from the cache where it has them, otherwise encoded and added to it. Each clip is encoded alone, so
    /// that its latents are the same bytes whether they were just encoded or read back, and a resumed run stays exact.
    /// </summary>
    internal static (Tensor Latents, Tensor ObjectMask) PooledLatents(VideoVae vae, TrainingBatch batch, double fps, Device device, LatentCache? cache)
    {
        var latents = new List<Tensor>();
        var masks = new List<Tensor>();
        foreach (var sample in batch.Samples)
        {
            // A clip rendered ahead of time may have been cached since, by an earlier step that drew the same scene.
            var entry = sample.Latents ?? cache?.TryRead(batch.Bucket, sample.SceneSeed);
            if (entry is null)
            {
                entry = EncodeAlone(vae, batch with { Samples = [sample] }, fps, device);
                cache?.Write(batch.Bucket, sample.SceneSeed, entry);
            }
            latents.Add(tensor(entry.Values, entry.Shape));
            masks.Add(tensor(entry.ObjectMask, new long[] { 1, entry.Shape[1], entry.Shape[2], entry.Shape[3] }).to(ScalarType.Float32));
        }
        return (stack(latents).to(device), stack(masks).to(device));
    }

    private static CachedLatents EncodeAlone(VideoVae vae, TrainingBatch single, double fps, Device device)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var bucket = single.Bucket;
        var video = FrameConversion.ToTensor(single.Samples[0].Frames.ToList()).view(1, 3, bucket.Frames, bucket.Height, bucket.Width).to(device);
        var latents = vae.Encode(video)[0].to(ScalarType.Float32).cpu().contiguous();              // (C, t, h, w)
        // Any weight above 1 marks the voxels that ObjectWeights would weigh.
        var weights = ObjectWeights.Latents(ObjectWeights.Pixels(single, 2.0, fps, CPU), vae.Config.SpatialCompression, vae.Config.TemporalCompression);
        using var between = 1.5.ToScalar();   // held: a temporary Scalar can be finalised during the native call (docs/training.md, session 14)
        var mask = weights.gt(between).to(ScalarType.Byte).contiguous();
        return new CachedLatents(latents.shape, latents.data<float>().ToArray(), mask.data<byte>().ToArray());
    }

    /// <summary>
    /// Loads a model folder's text encoder and transformer into a new run. The vocabulary, the text encoder
    /// and the transformer's width and depth must match: a warm start reuses what was learned about
    /// captions and motion, not a different model. The latent layout (channels, patch size) may differ,
    /// so a model can move to a new VAE: then the layers that touch latents start fresh and are named.
    /// </summary>
    private static void WarmStart(TextToVideoModules modules, ModelConfig config, WordTokenizer tokenizer, string modelFolder, bool freshTextPath, Action<string> say)
    {
        var source = ModelConfig.Load(Path.Combine(modelFolder, ModelConfig.FileName));
        var sourceTokenizer = WordTokenizer.Load(Path.Combine(modelFolder, KinemaModel.TokenizerFile));
        if (!sourceTokenizer.Vocabulary.SequenceEqual(tokenizer.Vocabulary))
            throw new ArgumentException($"--init-from {modelFolder}: its vocabulary ({sourceTokenizer.Vocabulary.Count} words) differs from this run's ({tokenizer.Vocabulary.Count}); a warm start needs the same tokenizer");
        // The latent layout, the velocity skip, the pooled text and the output refiner leave the shared weights' shapes alone:
        // they still load (the skip changes what the output means, which training then adapts to; the pooled projection
        // and the refiner start fresh, at zero).
        var latentLayoutIgnored = source.Transformer with
        {
            LatentChannels = config.Transformer.LatentChannels, PatchSize = config.Transformer.PatchSize, VelocitySkip = config.Transformer.VelocitySkip,
            PooledText = config.Transformer.PooledText, OutputRefiner = config.Transformer.OutputRefiner,
        };
        if (JsonSerializer.Serialize(source.TextEncoder, Json.Options) != JsonSerializer.Serialize(config.TextEncoder, Json.Options)
            || JsonSerializer.Serialize(latentLayoutIgnored, Json.Options) != JsonSerializer.Serialize(config.Transformer, Json.Options))
            throw new ArgumentException($"--init-from {modelFolder}: its text encoder or transformer shape differs from this run's preset (only latent channels, patch size, the velocity skip, the pooled text and the output refiner may differ)");
        if (!freshTextPath)
        {
            using var weights = Weights.ShardedSafeTensors.Open(Path.Combine(modelFolder, KinemaModel.TextEncoderFile));
            Weights.StateDictLoader.Load(modules.text_encoder, weights, "text encoder (--init-from)");
        }
        using (var weights = Weights.ShardedSafeTensors.Open(Path.Combine(modelFolder, KinemaModel.TransformerFile)))
        {
            Func<string, bool>? keepInitialised = freshTextPath ? IsTextPath : null;
            var fresh = Weights.StateDictLoader.LoadMatching(modules.transformer, weights, keepInitialised);
            if (fresh.Count > 0) say($"transformer: absent from {modelFolder} or shaped differently there (latent layout, pooled text, output refiner); these start fresh: {string.Join(", ", fresh)}");
            if (freshTextPath)
                say($"transformer: text path starts fresh (--fresh-text): the text encoder and {modules.transformer.state_dict().Keys.Count(IsTextPath)} transformer tensors");
        }
        say($"transformer: warm start from {modelFolder}");
    }

    /// <summary>The transformer's text side: the caption projection and each block's cross-attention and its norm.</summary>
    internal static bool IsTextPath(string name) =>
        name.StartsWith("text_embed.", StringComparison.Ordinal) || name.StartsWith("text_pool.", StringComparison.Ordinal) || name.Contains(".cross_attn.", StringComparison.Ordinal)
        || name.Contains(".norm_cross.", StringComparison.Ordinal);

    private static double? Validate(TrainingOptions options, ModelConfig config, WordTokenizer tokenizer, TextToVideoModules ema, VideoVae vae, Device device, long step)
    {
        if (options.ValidationSamples < 1) return null;
        var model = KinemaModel.FromComponents(config, tokenizer, ema.text_encoder, ema.transformer, vae, device, ScalarType.Float32);
        var report = JudgeEvaluation.Run(model, SplitName.Train, options.ValidationSamples, seed: 5_000_000, steps: options.ValidationSteps,
            sampleFolder: Path.Combine(options.RunFolder, "samples", $"step-{step:D7}"), samplesToKeep: 2);
        return report.MeanOverall;
    }

    /// <summary>The model being trained: the preset's shape, the trained VAE, a vocabulary from the captions.</summary>
    private static (ModelConfig Config, WordTokenizer Tokenizer) LoadOrCreateConfig(string run, ModelConfig shape, VideoVaeConfig vae, int vocabularyScenes, Action<string> say)
    {
        string configPath = Path.Combine(run, ModelConfigFile), tokenizerPath = Path.Combine(run, KinemaModel.TokenizerFile);
        if (File.Exists(configPath) && File.Exists(tokenizerPath))
            return (ModelConfig.Load(configPath), WordTokenizer.Load(tokenizerPath));
        say("transformer: building the vocabulary from training captions");
        var tokenizer = new WordTokenizer(CaptionVocabularyBuilder.Collect(vocabularyScenes), shape.TextEncoder.MaxLength);
        var config = shape with
        {
            TextEncoder = shape.TextEncoder with { VocabularySize = tokenizer.Vocabulary.Count },
            Transformer = shape.Transformer with { LatentChannels = vae.LatentChannels },
            Vae = vae,
        };
        config.Validate();
        tokenizer.Save(tokenizerPath);
        AtomicFile.WriteAllText(configPath, config.ToJson());
        return (config, tokenizer);
    }

    /// <summary>Writes the run's EMA weights as a model folder (f16), ready for `kinema generate --model`.</summary>
    public static void Export(string runFolder, string vaeFolder, string outputFolder, string name, string device = "cpu")
    {
        var dev = TrainingLoop.ResolveDevice(device);
        var config = ModelConfig.Load(Path.Combine(runFolder, ModelConfigFile)) with { Name = name };
        var tokenizer = WordTokenizer.Load(Path.Combine(runFolder, KinemaModel.TokenizerFile));
        string latest = new Checkpoints.CheckpointStore(runFolder).LatestPath()
            ?? throw new FileNotFoundException($"{runFolder} has no checkpoint to export");
        using var vae = VaeTrainer.Load(vaeFolder, dev);
        // The VAE's own config travels with its weights: a decoder fine-tune (e.g. to linear temporal upsampling)
        // changes the decoder, not the latent space the transformer learned.
        config = config with { Vae = CompatibleVae(config.Vae, vae.Config, vaeFolder) };
        using var ema = new TextToVideoModules(config);
        using (var weights = Weights.ShardedSafeTensors.Open(Path.Combine(latest, Checkpoints.CheckpointStore.EmaFile)))
            Weights.StateDictLoader.Load(ema, weights, "transformer (ema)");
        ema.to(dev);
        var model = KinemaModel.FromComponents(config, tokenizer, ema.text_encoder, ema.transformer, vae, dev, ScalarType.Float32);
        model.Save(outputFolder, ScalarType.Float16);
    }

    /// <summary>
    /// <paramref name="exported"/> if it encodes into the latent space <paramref name="trained"/> did (same channels,
    /// compression and latent statistics), so the transformer's latents decode as they were meant to; otherwise why not.
    /// </summary>
    internal static VideoVaeConfig CompatibleVae(VideoVaeConfig trained, VideoVaeConfig exported, string vaeFolder)
    {
        string? mismatch =
            exported.LatentChannels != trained.LatentChannels ? $"{exported.LatentChannels} latent channels, the run's VAE has {trained.LatentChannels}"
            : exported.SpatialCompression != trained.SpatialCompression || exported.TemporalCompression != trained.TemporalCompression
                ? $"compression {exported.SpatialCompression}x{exported.TemporalCompression} (space x time), the run's VAE {trained.SpatialCompression}x{trained.TemporalCompression}"
            : !SameStatistics(exported.LatentsMean, trained.LatentsMean) || !SameStatistics(exported.LatentsStd, trained.LatentsStd)
                ? "other latent statistics than the run's VAE (a different encoder)"
            : null;
        if (mismatch is not null)
            throw new InvalidDataException($"the VAE in {vaeFolder} has {mismatch}; export with the VAE the run trained on, or one trained from it with --decoder-only");
        return exported;
    }

    private static bool SameStatistics(float[] a, float[] b)
        => a.Length == b.Length && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * Math.Max(1f, Math.Abs(p.Second)));
}
