using System.CommandLine;
using Kinema.Pipelines;
using Kinema.Text;
using TorchSharp;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema model init DIR</c> and <c>kinema model show DIR</c>.</summary>
public static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Create or inspect model folders");
        command.Subcommands.Add(CreateInit());
        command.Subcommands.Add(CreateShow());
        return command;
    }

    private static Command CreateInit()
    {
        var folder = new Argument<string>("folder") { Description = "Where to write the model folder" };
        var preset = new Option<string>("--preset") { Description = "Model shape: toy, toy2, toy3, toy4 or tiny", DefaultValueFactory = _ => "toy" };
        var vocabulary = new Option<string?>("--vocabulary") { Description = "Text file of words (one per line or space separated); default: the built-in seed vocabulary" };
        var seed = new Option<long>("--seed") { Description = "Initialisation seed", DefaultValueFactory = _ => 0 };
        var command = new Command("init", "Write a model folder with randomly initialised weights (output is noise until trained)")
        {
            folder, preset, vocabulary, seed,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var words = parse.GetValue(vocabulary) is string path
                ? File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                : SeedVocabulary.Words;
            var shape = ModelPresets.ByName(parse.GetValue(preset)!, vocabularySize: 0);
            var tokenizer = new WordTokenizer(words, shape.TextEncoder.MaxLength);
            var config = shape with
            {
                Name = $"{shape.Name}-random-init",
                Description = "Randomly initialised weights: generates noise until trained with `kinema train`.",
                TextEncoder = shape.TextEncoder with { VocabularySize = tokenizer.Vocabulary.Count },
            };
            using var model = KinemaModel.CreateRandom(config, tokenizer, parse.GetValue(seed));
            string target = parse.GetValue(folder)!;
            model.Save(target, torch.ScalarType.Float16);
            var counts = model.ParameterCounts();
            Console.WriteLine($"wrote {target}: {string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value / 1e6:0.00}M"))} parameters");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateShow()
    {
        var folder = new Argument<string>("folder") { Description = "Model folder" };
        var command = new Command("show", "Load a model folder (checking every tensor) and print its configuration") { folder };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            using var model = KinemaModel.Load(parse.GetValue(folder)!);
            Console.WriteLine(model.Config.ToJson());
            foreach (var (name, count) in model.ParameterCounts()) Console.WriteLine($"{name}: {count:N0} parameters");
            Console.WriteLine($"vocabulary: {model.Tokenizer.Vocabulary.Count} words");
            return ExitCodes.Success;
        }));
        return command;
    }
}
