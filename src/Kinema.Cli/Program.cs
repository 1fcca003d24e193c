using System.CommandLine;
using Kinema.Cli.Commands;

namespace Kinema.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Kinema: open text-to-video. Type a prompt, get a video.")
        {
            GenerateCommand.Create(),
            InfoCommand.Create(),
            ModelCommand.Create(),
            ServeCommand.Create(),
            WorldCommand.Create(),
            ImageCommand.Create(),
            AnimateCommand.Create(),
            ExtendCommand.Create(),
            EditCommand.Create(),
            ConnectCommand.Create(),
            LoopCommand.Create(),
            StoryboardCommand.Create(),
            CharacterCommand.Create(),
            TrainCommand.Create(),
            EvalCommand.Create(),
            PolicyCommand.Create(),
            VerifyCommand.Create(),
            WanCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("run 'kinema --help' (or 'kinema COMMAND --help') for usage");
            return ExitCodes.BadInput;
        }
        return await parse.InvokeAsync();
    }
}
