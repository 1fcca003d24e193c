using System.CommandLine;
using Kinema.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema edit VIDEO "new prompt" --strength S -o out.mp4</c>: video to video (SDEdit).</summary>
public static class EditCommand
{
    public static Command Create()
    {
        var video = new Argument<string>("video") { Description = "The video to edit" };
        var prompt = new Argument<string>("prompt") { Description = "The new prompt" };
        var strength = new Option<double>("--strength") { Description = "0-1: low keeps motion and layout, high follows the prompt", DefaultValueFactory = _ => EditRequest.DefaultStrength };
        var options = new GenerationOptions("edited.mp4");
        var command = new Command("edit", "Re-imagine a video under a new prompt") { video, prompt, strength };
        options.AddTo(command, includeSeconds: false, includeFps: false);   // the source's length and frame rate
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            var source = GenerationOptions.ReadVideo(parse.GetValue(video)!);
            var request = new EditRequest
            {
                Video = options.Request(parse, parse.GetValue(prompt)!),
                Source = source.Frames,
                SourceFps = source.Fps,
                Strength = parse.GetValue(strength),
            };
            if (options.CheckPolicy(parse, "edit", ("prompt", request.Video.Prompt), ("negative_prompt", request.Video.NegativePrompt)) is { } refused) return refused;
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, [request.Video.Prompt]);
            int steps = (int)Math.Ceiling((request.Video.Steps ?? model.Config.Defaults.Steps) * Math.Clamp(request.Strength, 0, 1));
            var result = await GenerationOptions.RunWithProgress(Math.Max(1, steps), p => new EditPipeline(model).Generate(request, p, cancellation), cancellation);
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }
}
