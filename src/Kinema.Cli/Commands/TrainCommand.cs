using System.CommandLine;
using System.Text.Json;
using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training;
using Kinema.Training.Data;
using Kinema.Training.Evaluation;
using Kinema.World;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema train vae|dit|export</c> and <c>kinema eval adherence|vae</c>.</summary>
public static class TrainCommand
{
    public const string DefaultVaeBuckets = "128x128x9:2,160x96x5:2,96x160x5:2,64x64x17:2,128x128x1:4";
    public const string DefaultDitBuckets = "128x128x33:2,128x128x17:4,160x96x17:3,96x160x17:3,128x128x1:8";

    public static Command Create()
    {
        var command = new Command("train", "Train Kinema's own models on the toy world (stage 1: vae, stage 2: dit), and export them");
        command.Subcommands.Add(CreateStage("vae", DefaultVaeBuckets, needsVae: false));
        command.Subcommands.Add(CreateStage("dit", DefaultDitBuckets, needsVae: true));
        command.Subcommands.Add(CreateExport());
        command.Subcommands.Add(CreateAverage());
        return command;
    }

    private static Command CreateStage(string stage, string defaultBuckets, bool needsVae)
    {
        var run = new Option<string>("--run") { Description = "Run folder (checkpoints, log.csv, log.png); an existing run resumes", Required = true };
        var vae = new Option<string?>("--vae") { Description = "Stage-1 export folder (RUN/export) or a model folder whose VAE to use" };
        var steps = new Option<int>("--steps") { Description = "Total optimizer steps", DefaultValueFactory = _ => 2000 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => stage == "vae" ? 5e-4 : 3e-4 };
        var warmup = new Option<int>("--warmup") { Description = "Warm-up steps", DefaultValueFactory = _ => 100 };
        var buckets = new Option<string>("--buckets") { Description = "WxHxFRAMES:BATCH,... shapes to train on", DefaultValueFactory = _ => defaultBuckets };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => 100 };
        var validateEvery = new Option<int>("--validate-every") { Description = "0 = never", DefaultValueFactory = _ => 500 };
        var device = CommonOptions.Device();
        var preset = new Option<string>("--preset") { Description = "Model shape: toy, toy2, toy3, toy4 or tiny", DefaultValueFactory = _ => "toy" };
        var statisticsClips = new Option<int>("--statistics-clips") { Description = "Clips for the exported latent statistics (vae)", DefaultValueFactory = _ => 32 };
        var evaluationClips = new Option<int>("--evaluation-clips") { Description = "Held-out clips for the final PSNR/SSIM (vae)", DefaultValueFactory = _ => 16 };
        var vocabularyScenes = new Option<int>("--vocabulary-scenes") { Description = "Scenes whose captions make up the vocabulary (dit)", DefaultValueFactory = _ => 20_000 };
        var initFrom = new Option<string?>("--init-from")
        {
            Description = stage == "vae" ? "VAE export, model folder or VAE run whose weights start a new run (same shape)"
                : "Model folder whose text encoder and transformer start a new run (same vocabulary and width; the latent layout may differ)",
        };
        var inflate = new Option<bool>("--inflate") { Description = "With --init-from: zero the frame-mixing weights of an image-trained VAE, so video training starts from per-frame encoding" };
        var decoderOnly = new Option<bool>("--decoder-only") { Description = "With --init-from: train only the decoder; the encoder and latent statistics stay, so models built on that VAE keep working (vae)" };
        var objectWeight = new Option<double>("--object-weight") { Description = "Weight of the loss on object pixels (those that differ from the scenery drawn alone; for dit, the latent voxels they touch); 1 = every pixel alike", DefaultValueFactory = _ => 1.0 };
        var objectWeightMaxSigma = new Option<double>("--object-weight-max-sigma") { Description = "dit: weigh objects only in samples noised to at most this sigma (1 = every level)", DefaultValueFactory = _ => 1.0 };
        var temporalWeight = new Option<double>("--temporal-weight") { Description = stage == "vae" ? "Weight of a loss on frame-to-frame changes, against judder at latent-frame boundaries (vae; 0 = off)"
            : "Weight of a loss on how the clean-latent estimate's error changes between latent frames, against frames laid out afresh at each hand-over (dit; 0 = off)", DefaultValueFactory = _ => 0.0 };
        var stepEnergyWeight = new Option<double>("--step-energy-weight") { Description = "Weight of a loss asking each 8x8 block to change as much from frame to frame as the source does, against big and small steps inside latent frames (vae; 0 = off)", DefaultValueFactory = _ => 0.0 };
        var temporalUpsampling = new Option<TemporalUpsampling>("--temporal-upsampling") { Description = "How the decoder's shortcut doubles time: repeat or linear (vae; a new run's model shape; see docs/training.md)", DefaultValueFactory = _ => TemporalUpsampling.Repeat };
        var validationSamples = new Option<int>("--validation-samples") { Description = "Judge-scored samples per validation (dit)", DefaultValueFactory = _ => 4 };
        var velocitySkip = new Option<bool>("--velocity-skip") { Description = "Transformer output v = σ·x_t + F (dit; a new run's model shape; see docs/training.md)" };
        var pooledText = new Option<bool>("--pooled-text") { Description = "Also condition every block's adaLN on the caption's pooled embedding (dit; a new run's model shape; see docs/training.md)" };
        var outputRefiner = new Option<bool>("--output-refiner") { Description = "Add a residual 3x3x3 convolution after the transformer's patch projection, across token borders and neighbouring latent frames (dit; a new run's model shape; see docs/training.md)" };
        var freshText = new Option<bool>("--fresh-text") { Description = "With --init-from: keep the transformer's denoising weights but start the text encoder, text projection and cross-attention fresh (dit)" };
        var sigmaShift = new Option<double>("--sigma-shift") { Description = "Shift the logit-normal training noise levels towards 1, as sampling's --shift does (dit; 1 = none)", DefaultValueFactory = _ => 1.0 };
        var scenePool = new Option<int>("--scene-pool") { Description = "dit: draw each bucket's clips from this many fixed scenes and cache their latents, so later epochs skip rendering and encoding (0 = a new scene every clip)", DefaultValueFactory = _ => 0 };
        var latentCache = new Option<string?>("--latent-cache") { Description = "dit with --scene-pool: the latent cache folder (default RUN/latent-cache); runs on the same VAE may share it" };
        var command = new Command(stage, stage == "vae" ? "Stage 1: train the video VAE" : "Stage 2: train the diffusion transformer and text encoder")
        {
            run, steps, lr, warmup, buckets, seed, checkpointEvery, validateEvery, device, preset,
        };
        command.Options.Add(initFrom);
        if (stage == "vae") { command.Options.Add(statisticsClips); command.Options.Add(evaluationClips); command.Options.Add(inflate); command.Options.Add(decoderOnly); command.Options.Add(temporalUpsampling); command.Options.Add(stepEnergyWeight); }
        else { command.Options.Add(vocabularyScenes); command.Options.Add(validationSamples); command.Options.Add(sigmaShift); command.Options.Add(velocitySkip); command.Options.Add(freshText); command.Options.Add(pooledText); command.Options.Add(outputRefiner); command.Options.Add(objectWeightMaxSigma); command.Options.Add(scenePool); command.Options.Add(latentCache); }
        command.Options.Add(objectWeight);
        command.Options.Add(temporalWeight);
        if (needsVae) command.Options.Add(vae);
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(() =>
        {
            var options = new TrainingOptions
            {
                RunFolder = parse.GetValue(run)!,
                Device = parse.GetValue(device)!,
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr),
                WarmupSteps = parse.GetValue(warmup),
                Buckets = ClipBucket.ParseList(parse.GetValue(buckets)!),
                Seed = parse.GetValue(seed),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                ValidateEvery = parse.GetValue(validateEvery),
                StatisticsClips = parse.GetValue(statisticsClips),
                EvaluationClips = parse.GetValue(evaluationClips),
                VocabularyScenes = parse.GetValue(vocabularyScenes),
                ValidationSamples = parse.GetValue(validationSamples),
                SigmaShift = stage == "dit" ? parse.GetValue(sigmaShift) : 1.0,
                InitFrom = parse.GetValue(initFrom),
                InflateFromImages = stage == "vae" && parse.GetValue(inflate),
                FreshTextPath = stage == "dit" && parse.GetValue(freshText),
                DecoderOnly = stage == "vae" && parse.GetValue(decoderOnly),
                ObjectWeight = parse.GetValue(objectWeight),
                TemporalWeight = parse.GetValue(temporalWeight),
                StepEnergyWeight = stage == "vae" ? parse.GetValue(stepEnergyWeight) : 0,
                ObjectWeightMaxSigma = stage == "dit" ? parse.GetValue(objectWeightMaxSigma) : 1.0,
                ScenePool = stage == "dit" ? parse.GetValue(scenePool) : 0,
                LatentCacheFolder = stage == "dit" ? parse.GetValue(latentCache) : null,
            };
            var shape = ModelPresets.ByName(parse.GetValue(preset)!, vocabularySize: 4);
            if (stage == "vae") shape = shape with { Vae = shape.Vae with { TemporalUpsampling = parse.GetValue(temporalUpsampling) } };
            if (stage == "dit" && parse.GetValue(velocitySkip)) shape = shape with { Transformer = shape.Transformer with { VelocitySkip = true } };
            if (stage == "dit" && parse.GetValue(pooledText)) shape = shape with { Transformer = shape.Transformer with { PooledText = true } };
            if (stage == "dit" && parse.GetValue(outputRefiner)) shape = shape with { Transformer = shape.Transformer with { OutputRefiner = true } };
            return RunOnTrainingThread(() =>
            {
                if (stage == "vae") VaeTrainer.Run(options, shape.Vae, Console.WriteLine, cancellation);
                else
                {
                    string vaeFolder = parse.GetValue(vae) ?? throw new ArgumentException("--vae is required: the stage-1 export folder (RUN/export)");
                    DitTrainer.Run(options, vaeFolder, shape, Console.WriteLine, cancellation);
                }
            });
        })));
        return command;
    }

    private static Command CreateExport()
    {
        var run = new Option<string>("--run") { Description = "Stage-2 run folder", Required = true };
        var vae = new Option<string>("--vae") { Description = "Stage-1 export folder", Required = true };
        var output = new Option<string>("--out") { Description = "Model folder to write", Required = true };
        var name = new Option<string>("--name") { DefaultValueFactory = _ => "kinema-toy" };
        var command = new Command("export", "Write a trained run's EMA weights as a model folder (f16)") { run, vae, output, name };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            DitTrainer.Export(parse.GetValue(run)!, parse.GetValue(vae)!, parse.GetValue(output)!, parse.GetValue(name)!);
            Console.WriteLine(parse.GetValue(output));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateAverage()
    {
        var first = new Option<string>("--model") { Description = "The model the result starts from (its sampling defaults are kept)", Required = true };
        var second = new Option<string>("--with") { Description = "A fine-tune of it: same shapes, vocabulary and VAE", Required = true };
        var weight = new Option<double>("--weight") { Description = "The share of --with in [0, 1]", DefaultValueFactory = _ => 0.5 };
        var output = new Option<string>("--out") { Description = "Model folder to write", Required = true };
        var name = new Option<string>("--name") { DefaultValueFactory = _ => "kinema-toy" };
        var command = new Command("average", "Write the weighted average of a model and its fine-tune (text encoder and transformer; a model soup)") { first, second, weight, output, name };
        command.SetAction(parse => CliErrors.Guard(() => RunOnTrainingThread(() =>
        {
            ModelAveraging.Average(parse.GetValue(first)!, parse.GetValue(second)!, parse.GetValue(weight), parse.GetValue(output)!, parse.GetValue(name)!);
            Console.WriteLine(parse.GetValue(output));
        })));
        return command;
    }

    /// <summary>Training holds TorchSharp dispose scopes for its whole run: keep it on one dedicated thread.</summary>
    private static int RunOnTrainingThread(Action train)
    {
        Exception? failure = null;
        var thread = new Thread(() => { try { train(); } catch (Exception e) { failure = e; } }, maxStackSize: 64 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return ExitCodes.Success;
    }
}

/// <summary><c>kinema eval adherence</c> (judge score on a split), <c>kinema eval vae</c> (PSNR/SSIM) and <c>kinema eval captions</c> (prompt use).</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Measure a model: prompt adherence by the toy-world judge, VAE reconstruction");
        command.Subcommands.Add(CreateAdherence());
        command.Subcommands.Add(CreateVae());
        command.Subcommands.Add(CreateCaptions());
        return command;
    }

    private static Command CreateAdherence()
    {
        var model = CommonOptions.Model();
        var split = new Option<string>("--split") { Description = "train or heldout", DefaultValueFactory = _ => "train" };
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 9_000_000 };
        var output = new Option<string?>("--json") { Description = "Also write the report here" };
        var command = new Command("adherence", "Generate from captions of toy-world scenes and score them with the judge") { model, split, count, seed, output };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var splitName = parse.GetValue(split)!.ToLowerInvariant() switch
            {
                "train" => SplitName.Train,
                "heldout" or "held-out" => SplitName.HeldOut,
                var other => throw new ArgumentException($"unknown split '{other}'; allowed: train, heldout"),
            };
            using var loaded = KinemaModel.Load(ModelLocator.Resolve(parse.GetValue(model)));
            var report = JudgeEvaluation.Run(loaded, splitName, parse.GetValue(count), parse.GetValue(seed),
                onVideo: (i, score) => Console.Error.WriteLine($"{i + 1}/{parse.GetValue(count)}: {score:0.0}"));
            string json = JsonSerializer.Serialize(report, IO.Json.Options);
            if (parse.GetValue(output) is string path) IO.AtomicFile.WriteAllText(path, json);
            Console.WriteLine(json);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateCaptions()
    {
        var model = CommonOptions.Model();
        var count = new Option<int>("--count") { Description = "Training-split images (at least 2)", DefaultValueFactory = _ => 32 };
        var sigma = new Option<double>("--sigma") { Description = "Noise level of the estimate", DefaultValueFactory = _ => 0.99 };
        var command = new Command("captions", "Does the model read its prompt? Error of its high-noise scene estimate with each image's own caption against another's") { model, count, sigma };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            using var loaded = KinemaModel.Load(ModelLocator.Resolve(parse.GetValue(model)));
            var report = CaptionUseEvaluation.Run(loaded, parse.GetValue(count), seed: 4_000_000, sigma: parse.GetValue(sigma));
            Console.WriteLine(JsonSerializer.Serialize(report, IO.Json.Options));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateVae()
    {
        var vae = new Option<string>("--vae") { Description = "Stage-1 export folder, a model folder, or a VAE run (its latest checkpoint)", Required = true };
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 32 };
        var save = new Option<string?>("--save") { Description = "Folder to write each clip's ground truth above its reconstruction as a PNG (first, middle, last frame)" };
        var command = new Command("vae", "PSNR/SSIM of VAE reconstructions on held-out toy-world clips at 128x128, and the judge's score before and after the round trip") { vae, count, save };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var device = TorchSharp.torch.CPU;
            using var loaded = VaeTrainer.Load(parse.GetValue(vae)!, device);
            string? folder = parse.GetValue(save);
            if (folder is not null) Directory.CreateDirectory(folder);
            var report = VaeEvaluation.Run(loaded, device, parse.GetValue(count), seed: 3_000_000, onClip: folder is null ? null
                : (i, truth, reconstruction) => Media.ImageFile.WritePng(Path.Combine(folder, $"clip{i:000}.png"), Media.ContactSheet.Rows([truth, reconstruction], columns: 3)));
            Console.WriteLine(JsonSerializer.Serialize(report, IO.Json.Options));
            return ExitCodes.Success;
        }));
        return command;
    }
}
