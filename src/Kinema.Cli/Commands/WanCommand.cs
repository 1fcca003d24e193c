using System.CommandLine;
using Kinema.Wan.RandomWeights;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema wan make-random</c>: random-weight Wan folders in the diffusers layout, for trying the port without a download.</summary>
public static class WanCommand
{
    public static Command Create()
    {
        var command = new Command("wan", "Tools for Wan 2.1 / 2.2 diffusers folders");
        command.Subcommands.Add(CreateMakeRandom());
        return command;
    }

    private static Command CreateMakeRandom()
    {
        var variant = new Option<string>("--variant") { Description = $"Which release to imitate: {string.Join(", ", WanVariants.Names)}", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write (model_index.json and one subfolder per component)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Initialisation seed", DefaultValueFactory = _ => 0 };
        var maxShard = new Option<long?>("--max-shard-mb") { Description = "Shard size limit in MB for the transformer and text encoder (default: 5000 and 2500, as released)" };
        var command = new Command("make-random", "Write a Wan folder with random weights and the real configs, key names and shapes (generates noise)")
        {
            variant, output, seed, maxShard,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var which = WanVariants.Parse(parse.GetValue(variant)!);
            long? shardBytes = parse.GetValue(maxShard) is long mb
                ? (mb >= 1 ? mb * 1_000_000 : throw new ArgumentException($"--max-shard-mb must be at least 1, got {mb}"))
                : null;
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            Console.Error.WriteLine($"writing a random Wan {which.ToName()} folder to {folder} (weights are generated and written one tensor at a time)");
            RandomWanFolder.Write(folder, which, shardBytes, parse.GetValue(seed));
            Console.WriteLine(folder);
            return ExitCodes.Success;
        }));
        return command;
    }
}
