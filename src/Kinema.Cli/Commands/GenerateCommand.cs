using System.CommandLine;
using Kinema.Pipelines;
using Kinema.Schedulers;
using Kinema.Wan.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema generate "prompt" -o out.mp4</c>: text to video. Videos longer than the model's window
/// (or with --window) are generated window by window with overlapping context, in bounded memory. A diffusers Wan
/// folder (model_index.json naming WanPipeline) is run by <see cref="WanGeneration"/> with the same output handling.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "What the video should show" };
        var options = new GenerationOptions("video.mp4");
        var window = new Option<double?>("--window") { Description = "Generate in windows of this many new seconds (default: automatic for videos longer than twice the model's default duration)" };
        var command = new Command("generate", "Generate a video from a text prompt") { prompt, window };
        options.AddTo(command);
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            var request = options.Request(parse, parse.GetValue(prompt)!);
            if (options.CheckPolicy(parse, "generate", ("prompt", request.Prompt), ("negative_prompt", request.NegativePrompt)) is { } refused) return refused;
            string folder = options.ModelFolder(parse);
            if (WanModel.IsWanFolder(folder))
            {
                if (parse.GetValue(window) is not null) throw new ArgumentException("--window is not supported for Wan folders");
                return await WanGeneration.RunAsync(parse, options, folder, request, output, cancellation);
            }
            using var model = options.LoadModel(parse, cancellation);
            var resolved = VideoRequestValidator.Resolve(request, model.Config);
            GenerationOptions.NoteUnknownWords(model, [resolved.Prompt]);
            double? windowSeconds = parse.GetValue(window);
            bool windowed = windowSeconds is not null || StoryboardPipeline.NeedsWindows(resolved.Seconds, model.Config);
            Console.Error.WriteLine($"{model.Name}: {resolved.Width}x{resolved.Height}, {resolved.FrameCount} frames at {resolved.Fps} fps, {resolved.Steps} steps ({resolved.Sampler.ToName()}{(resolved.EffectiveEta is < 1 and double eta ? $", eta {eta}" : "")}), guidance {resolved.Guidance}{(resolved.GuidanceMinSigma > 0 ? $" at sigma >= {resolved.GuidanceMinSigma}" : "")}, seed {resolved.Seed}{(windowed ? ", windowed" : "")}");

            VideoResult result;
            if (windowed)
            {
                var storyboard = new StoryboardRequest { Cards = [new StoryboardCard(0, resolved.Prompt)], Seconds = resolved.Seconds, Settings = request, WindowSeconds = windowSeconds };
                result = await GenerationOptions.RunWithProgress(resolved.FrameCount, p => new StoryboardPipeline(model).Generate(storyboard, p, cancellation), cancellation);
            }
            else
            {
                result = await GenerationOptions.RunWithProgress(resolved.Steps, p => new TextToVideoPipeline(model).Generate(request, p, cancellation), cancellation);
            }
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }
}
