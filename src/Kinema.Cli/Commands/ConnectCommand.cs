using System.CommandLine;
using Kinema.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema connect A.mp4 B.mp4 --seconds N -o out.mp4</c>.</summary>
public static class ConnectCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("first") { Description = "The video the transition starts from" };
        var second = new Argument<string>("second") { Description = "The video the transition leads into" };
        var prompt = new Option<string>("--prompt") { Description = "What happens in the transition", DefaultValueFactory = _ => ConnectRequest.DefaultPrompt };
        var transitionOnly = new Option<bool>("--transition-only") { Description = "Write only the generated transition" };
        var options = new GenerationOptions("connected.mp4");
        var command = new Command("connect", "Generate a transition from the end of one video to the start of another") { first, second, prompt, transitionOnly };
        options.AddTo(command, includeFps: false);   // the first video's frame rate
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            var a = GenerationOptions.ReadVideo(parse.GetValue(first)!);
            var b = GenerationOptions.ReadVideo(parse.GetValue(second)!);
            var request = new ConnectRequest
            {
                Video = options.Request(parse, parse.GetValue(prompt)!),
                First = a.Frames, Second = b.Frames, Fps = a.Fps, SecondFps = b.Fps, TransitionOnly = parse.GetValue(transitionOnly),
            };
            if (options.CheckPolicy(parse, "connect", ("prompt", request.Video.Prompt), ("negative_prompt", request.Video.NegativePrompt)) is { } refused) return refused;
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, [request.Video.Prompt]);
            int steps = request.Video.Steps ?? model.Config.Defaults.Steps;
            var result = await GenerationOptions.RunWithProgress(steps, p => new ConnectPipeline(model).Generate(request, p, cancellation), cancellation);
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }
}
