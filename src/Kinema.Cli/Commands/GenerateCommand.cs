using System.CommandLine;
using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Responsibility.Publishing;
using Kinema.Schedulers;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema generate "prompt" -o out.mp4</c>: text to video.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "What the video should show" };
        var output = new Option<string>("--output", "-o") { Description = "Output file (.mp4, or .gif)", DefaultValueFactory = _ => "video.mp4" };
        var seconds = new Option<double?>("--seconds") { Description = "Duration in seconds (default: the model's)" };
        var fps = new Option<int?>("--fps") { Description = "Frames per second (default: the model's)" };
        var size = new Option<string?>("--size") { Description = "WIDTHxHEIGHT, multiples of the model's grid (default: the model's)" };
        var steps = new Option<int?>("--steps") { Description = "Denoising steps" };
        var guidance = new Option<double?>("--guidance") { Description = "Classifier-free guidance scale (1 = off)" };
        var seed = new Option<long>("--seed") { Description = "Random seed; same seed and settings give the same video", DefaultValueFactory = _ => 0 };
        var negative = new Option<string?>("--negative") { Description = "Negative prompt: what to steer away from" };
        var sampler = new Option<string?>("--sampler") { Description = $"Solver: {string.Join(", ", SamplerNames.All)}" };
        var shift = new Option<double?>("--shift") { Description = "Noise schedule shift" };
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var policy = PolicyCommand.PolicyOption();
        var visibleMark = new Option<bool>("--visible-mark") { Description = "Also stamp a visible \"AI-GENERATED\" label (the invisible watermark and Content Credentials are always added)" };

        var command = new Command("generate", "Generate a video from a text prompt")
        {
            prompt, output, seconds, fps, size, steps, guidance, seed, negative, sampler, shift, model, device, policy, visibleMark,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            return await CliErrors.Guard(async () =>
            {
                string outputPath = parse.GetValue(output)!;
                CheckOutputExtension(outputPath);
                (int W, int H)? wh = parse.GetValue(size) is string s ? CommonOptions.ParseSize(s) : null;
                var request = new VideoRequest
                {
                    Prompt = parse.GetValue(prompt)!,
                    NegativePrompt = parse.GetValue(negative),
                    Seconds = parse.GetValue(seconds),
                    Fps = parse.GetValue(fps),
                    Width = wh?.W,
                    Height = wh?.H,
                    Steps = parse.GetValue(steps),
                    Guidance = parse.GetValue(guidance),
                    Seed = parse.GetValue(seed),
                    Sampler = parse.GetValue(sampler) is string name ? SamplerNames.Parse(name) : null,
                    Shift = parse.GetValue(shift),
                };
                if (PolicyGate.Check(parse.GetValue(policy), "cli:generate", ("prompt", request.Prompt), ("negative_prompt", request.NegativePrompt)) is { } refused)
                    return refused;

                string folder = ModelLocator.Resolve(parse.GetValue(model));
                using var loaded = KinemaModel.Load(folder, new ModelLoadOptions { Device = parse.GetValue(device)! }, cancellation: cancellation);
                var resolved = VideoRequestValidator.Resolve(request, loaded.Config);
                var unknown = loaded.Tokenizer.UnknownWords(resolved.Prompt);
                if (unknown.Count > 0)
                    Console.Error.WriteLine($"note: model '{loaded.Name}' never saw these words, so they will have little effect: {string.Join(", ", unknown)}");
                Console.Error.WriteLine($"{loaded.Name}: {resolved.Width}x{resolved.Height}, {resolved.FrameCount} frames at {resolved.Fps} fps, {resolved.Steps} steps ({resolved.Sampler.ToName()}), guidance {resolved.Guidance}, seed {resolved.Seed}");

                var pipeline = new TextToVideoPipeline(loaded);
                var result = await ProgressReporter.ForStandardError()
                    .RunAsync(resolved.Steps, progress => pipeline.GenerateAsync(request, progress, cancellation));
                string metadata = JsonSerializer.Serialize(result.Metadata, IO.Json.Options).ReplaceLineEndings(" ");
                var written = ProvenancePublisher.WriteVideo(outputPath, result.Frames, result.Fps,
                    new ProvenanceInfo { VideoId = ProvenanceInfo.IdFor(JsonSerializer.Serialize(result.Metadata with { ElapsedSeconds = 0 })), Model = loaded.Name, Prompt = resolved.Prompt, NegativePrompt = resolved.NegativePrompt },
                    new ProvenanceOptions { VisibleMark = parse.GetValue(visibleMark), Comment = metadata });
                if (written.Notice is not null) Console.Error.WriteLine($"notice: {written.Notice}");
                Console.Error.WriteLine($"provenance: id {written.VideoId}, watermark payload {written.WatermarkPayload}{(written.ContentCredentials ? ", Content Credentials signed" : "")}");
                Console.WriteLine(written.Path);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    internal static void CheckOutputExtension(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".mp4" or ".gif"))
            throw new ArgumentException($"output '{path}' must end in .mp4 or .gif");
    }
}
