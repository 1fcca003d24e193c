using System.Globalization;
using System.Text.Json;
using Kinema.Pipelines;
using Kinema.Training;
using Kinema.Training.Data;
using Kinema.Training.Logging;

namespace Kinema.Bench;

/// <summary>
/// Stage-2 training throughput on one bucket: clips rendered and encoded by the VAE every step (the trainer's default,
/// the peer) against the same model reading pooled scenes' latents from a filled cache (<c>--scene-pool</c>). Both
/// are real training steps of the model's shape (forward, backward, AdamW, EMA) in one process; the first logged
/// interval of each is warm-up and is left out. Writes bench/results/train-data.json.
/// </summary>
public static class TrainDataBench
{
    public static int Run(string[] args)
    {
        string model = ModelLocator.Resolve(Program.Option(args, "--model", "") is { Length: > 0 } m ? m : null);
        var bucket = ClipBucket.ParseList(Program.Option(args, "--bucket", "128x128x17:2")).Single();
        int steps = int.Parse(Program.Option(args, "--steps", "40"), CultureInfo.InvariantCulture);
        const int pool = 4, logEvery = 5;
        var config = ModelConfig.Load(Path.Combine(model, ModelConfig.FileName));
        var shape = config with { TextEncoder = config.TextEncoder with { VocabularySize = 4 } };
        string root = Directory.CreateTempSubdirectory("kinema-train-data-").FullName;
        try
        {
            TrainingOptions Options(string name, int stepCount, int scenePool) => new()
            {
                RunFolder = Path.Combine(root, name), Steps = stepCount, WarmupSteps = 5, LearningRate = 1e-4, CheckpointEvery = 100_000,
                LogEvery = logEvery, ValidateEvery = 0, Buckets = [bucket], VocabularyScenes = 200, ObjectWeight = 5, SigmaShift = 3,
                TemporalWeight = 1, ScenePool = scenePool, LatentCacheFolder = scenePool > 0 ? Path.Combine(root, "cache") : null,
            };
            double Measure(TrainingOptions options)
            {
                DitTrainer.Run(options, model, shape, _ => { }, CancellationToken.None);
                var rows = TrainingLog.Read(Path.Combine(options.RunFolder, "log.csv")).Skip(1).ToList();
                return rows.Average(r => r.SamplesPerSecond);
            }

            double rendered = Measure(Options("rendered", steps, 0));
            // A pool far larger than the run: every clip is new, encoded alone and written to the cache.
            double firstPass = Measure(Options("first-pass", steps, 1_000_000) with { LatentCacheFolder = Path.Combine(root, "first-pass-cache") });
            // Fill the cache with a small pool's scenes, then train a new run that finds every clip there.
            DitTrainer.Run(Options("filling", 4 * pool, pool), model, shape, _ => { }, CancellationToken.None);
            int cached = Directory.GetFiles(Path.Combine(root, "cache"), "*.latent", SearchOption.AllDirectories).Length;
            if (cached < pool) throw new InvalidOperationException($"the fill run cached {cached} of {pool} scenes; raise its steps");
            double fromCache = Measure(Options("cached", steps, pool));
            double ratio = fromCache / rendered;

            Console.WriteLine($"Stage-2 training, {config.Name}'s shape, bucket {bucket}:{bucket.BatchSize}, {steps} steps each, {Environment.ProcessorCount} cores");
            Console.WriteLine("| clips | samples/s | vs rendered |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| rendered and encoded every step (peer) | {rendered:0.00} | 1.00x |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| pooled, first pass: every clip new, encoded alone and cached | {firstPass:0.00} | {firstPass / rendered:0.00}x |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| pooled, read from the cache | {fromCache:0.00} | {ratio:0.00}x |"));
            string path = Path.Combine(Program.ResultsFolder(), "train-data.json");
            var result = new
            {
                benchmark = "train-data", model = config.Name, bucket = $"{bucket}:{bucket.BatchSize}", steps, cores = Environment.ProcessorCount,
                renderedSamplesPerSecond = Math.Round(rendered, 3), firstPassSamplesPerSecond = Math.Round(firstPass, 3),
                cachedSamplesPerSecond = Math.Round(fromCache, 3), cachedOverRendered = Math.Round(ratio, 3),
                date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            File.WriteAllText(path, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.WriteLine($"wrote {path}");
            return 0;
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
