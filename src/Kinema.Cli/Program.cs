using System.CommandLine;
using Kinema.Cli.Commands;

namespace Kinema.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Kinema: text-to-video in C#.");
        root.Subcommands.Add(WorldCommand.Create());
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors) Console.Error.WriteLine($"kinema: {error.Message}");
            return 2;
        }
        return parseResult.Invoke();
    }
}
