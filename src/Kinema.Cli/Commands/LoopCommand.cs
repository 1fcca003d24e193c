using System.CommandLine;
using Kinema.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema loop "prompt" [--seconds S] -o out.mp4</c>: the last frame flows into the first.</summary>
public static class LoopCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "What the loop shows" };
        var options = new GenerationOptions("loop.mp4");
        var command = new Command("loop", "Generate a seamless loop") { prompt };
        options.AddTo(command);
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            var request = options.Request(parse, parse.GetValue(prompt)!);
            if (options.CheckPolicy(parse, "loop", ("prompt", request.Prompt), ("negative_prompt", request.NegativePrompt)) is { } refused) return refused;
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, [request.Prompt]);
            int steps = VideoRequestValidator.Resolve(request, model.Config).Steps;
            var result = await GenerationOptions.RunWithProgress(2 * steps, p => new LoopPipeline(model).Generate(request, p, cancellation), cancellation);
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }
}
