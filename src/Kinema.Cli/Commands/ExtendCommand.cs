using System.CommandLine;
using Kinema.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema extend VIDEO "prompt" --seconds N [--backward] -o out.mp4</c>.</summary>
public static class ExtendCommand
{
    public static Command Create()
    {
        var video = new Argument<string>("video") { Description = "The video to extend" };
        var prompt = new Argument<string>("prompt") { Description = "What happens in the new part" };
        var backward = new Option<bool>("--backward") { Description = "Add the new seconds before the video instead of after" };
        var options = new GenerationOptions("extended.mp4");
        var command = new Command("extend", "Extend a video forward (or backward); the original is kept untouched") { video, prompt, backward };
        options.AddTo(command, includeFps: false);   // the source's frame rate
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            var source = GenerationOptions.ReadVideo(parse.GetValue(video)!);
            var request = new ExtendRequest
            {
                Video = options.Request(parse, parse.GetValue(prompt)!),
                Source = source.Frames,
                SourceFps = source.Fps,
                Backward = parse.GetValue(backward),
            };
            if (options.CheckPolicy(parse, "extend", ("prompt", request.Video.Prompt), ("negative_prompt", request.Video.NegativePrompt)) is { } refused) return refused;
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, [request.Video.Prompt]);
            int steps = request.Video.Steps ?? model.Config.Defaults.Steps;
            var result = await GenerationOptions.RunWithProgress(steps, p => new ExtendPipeline(model).Generate(request, p, cancellation), cancellation);
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }
}
