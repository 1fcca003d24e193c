using System.CommandLine;
using Kinema.Pipelines;
using Kinema.Wan.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema animate IMAGE "prompt" [--last IMAGE] [--seconds S] -o out.mp4</c>: image to video. With <c>--model</c> naming a
/// Wan 2.2 TI2V folder, <see cref="WanGeneration"/> runs it (first frame only). From a first frame alone, videos longer than
/// <see cref="StoryboardPipeline.NeedsWindows"/> allows in one window are generated window by window.
/// </summary>
public static class AnimateCommand
{
    public static Command Create()
    {
        var image = new Argument<string?>("image") { Description = "First frame (PNG, or JPEG/WebP with ffmpeg); use '-' to give only --last", Arity = ArgumentArity.ExactlyOne };
        var prompt = new Argument<string>("prompt") { Description = "What happens" };
        var last = new Option<string?>("--last") { Description = "An image the video ends on" };
        var options = new GenerationOptions("animated.mp4");
        var command = new Command("animate", "Animate an image: the video starts on it (and/or ends on --last)") { image, prompt, last };
        options.AddTo(command);
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            string? firstPath = parse.GetValue(image) is "-" ? null : parse.GetValue(image);
            var request = new AnimateRequest
            {
                Video = options.Request(parse, parse.GetValue(prompt)!),
                FirstFrame = firstPath is null ? null : GenerationOptions.ReadImage(firstPath),
                LastFrame = parse.GetValue(last) is string l ? GenerationOptions.ReadImage(l) : null,
            };
            if (options.CheckPolicy(parse, "animate", ("prompt", request.Video.Prompt), ("negative_prompt", request.Video.NegativePrompt)) is { } refused) return refused;
            string folder = options.ModelFolder(parse);
            if (WanModel.IsWanFolder(folder))
            {
                // Wan 2.2 TI2V conditions on a first frame only (diffusers' expand_timesteps path).
                if (request.LastFrame is not null) throw new ArgumentException("--last is not supported for Wan folders: Wan 2.2 TI2V starts from a first frame only");
                if (request.FirstFrame is null) throw new ArgumentException("a Wan folder needs the first frame (IMAGE), not '-'");
                return await WanGeneration.RunAsync(parse, options, folder, request.Video, output, cancellation, request.FirstFrame);
            }
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, [request.Video.Prompt]);
            var resolved = VideoRequestValidator.Resolve(request.Video, model.Config);
            VideoResult result;
            if (request.FirstFrame is not null && request.LastFrame is null && StoryboardPipeline.NeedsWindows(resolved.Seconds, model.Config))
            {
                // Long animations go window by window from the image, as long text-to-video does.
                Console.Error.WriteLine($"{model.Name}: {resolved.FrameCount} frames from the image, windowed");
                var storyboard = new StoryboardRequest { Cards = [new StoryboardCard(0, resolved.Prompt, request.FirstFrame)], Seconds = resolved.Seconds, Settings = request.Video };
                result = await GenerationOptions.RunWithProgress(resolved.FrameCount, p => new StoryboardPipeline(model).Generate(storyboard, p, cancellation), cancellation);
            }
            else
            {
                result = await GenerationOptions.RunWithProgress(resolved.Steps, p => new AnimatePipeline(model).Generate(request, p, cancellation), cancellation);
            }
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }
}
