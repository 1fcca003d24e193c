using System.CommandLine;
using Kinema.Media;
using Kinema.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema image "prompt" -o out.png [--size WxH]</c>: a one-frame video, saved as an image.</summary>
public static class ImageCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "What the image should show" };
        var options = new GenerationOptions("image.png");
        var command = new Command("image", "Generate an image from a text prompt (a one-frame video)") { prompt };
        options.AddTo(command, includeSeconds: false, includeFps: false);
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckImageOutput(output);
            var request = options.Request(parse, parse.GetValue(prompt)!);
            if (options.CheckPolicy(parse, "image", ("prompt", request.Prompt), ("negative_prompt", request.NegativePrompt)) is { } refused) return refused;
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, [request.Prompt]);
            var resolved = VideoRequestValidator.Resolve(request with { Seconds = 1, Fps = 1 }, model.Config);
            var result = await GenerationOptions.RunWithProgress(resolved.Steps, p =>
            {
                var (image, metadata) = new ImagePipeline(model).Generate(request, p, cancellation);
                return new VideoResult([image], metadata);
            }, cancellation);
            return options.WriteImage(parse, output, result.Frames[0], result.Metadata);
        }));
        return command;
    }
}
