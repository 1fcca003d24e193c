using System.CommandLine;
using System.Text.Json;
using Kinema.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema storyboard board.json -o out.mp4</c>: {"cards": [{"start": 0, "prompt": "...", "image": "optional.png"}, ...]}.</summary>
public static class StoryboardCommand
{
    public static Command Create()
    {
        var board = new Argument<string>("board") { Description = "Storyboard JSON file" };
        var options = new GenerationOptions("storyboard.mp4");
        var command = new Command("storyboard", "Generate one continuous video from timed prompt cards") { board };
        options.AddTo(command);
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string output = parse.GetValue(options.Output)!;
            GenerationOptions.CheckVideoOutput(output);
            string path = parse.GetValue(board)!;
            var read = ReadCards(path);
            var prompts = CharacterCommand.ExpandPrompts(read.Select(c => c.Prompt).ToList());
            var cards = read.Select((c, i) => c with { Prompt = prompts[i] }).ToList();
            double seconds = parse.GetValue(options.Seconds) ?? cards.Max(c => c.Start) + StoryboardRequest.DefaultLastCardSeconds;
            var request = new StoryboardRequest { Cards = cards, Seconds = seconds, Settings = options.Request(parse, cards[0].Prompt, expandCharacters: false) };
            var fields = cards.Select((c, i) => ($"cards[{i}].prompt", (string?)c.Prompt)).Append(("negative_prompt", request.Settings.NegativePrompt)).ToArray();
            if (options.CheckPolicy(parse, "storyboard", fields) is { } refused) return refused;
            using var model = options.LoadModel(parse, cancellation);
            GenerationOptions.NoteUnknownWords(model, cards.Select(c => c.Prompt));
            int frames = (int)Math.Round(seconds * (request.Settings.Fps ?? model.Config.Defaults.Fps));
            var result = await GenerationOptions.RunWithProgress(frames, p => new StoryboardPipeline(model).Generate(request, p, cancellation), cancellation);
            return options.WriteVideo(parse, output, result);
        }));
        return command;
    }

    internal static List<StoryboardCard> ReadCards(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"storyboard not found: {path}", path);
        BoardFile? file;
        try { file = JsonSerializer.Deserialize<BoardFile>(File.ReadAllText(path), IO.Json.Options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid storyboard ({e.Message}); expected {{\"cards\": [{{\"start\": 0, \"prompt\": \"...\"}}]}}", e); }
        if (file?.Cards is not { Count: > 0 }) throw new InvalidDataException($"{path}: a storyboard needs a non-empty \"cards\" list");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var starts = new Dictionary<double, int>();
        return file.Cards.Select((c, i) =>
        {
            if (string.IsNullOrWhiteSpace(c.Prompt)) throw new InvalidDataException($"{path}: card {i} has no prompt");
            if (c.Start is not double start) throw new InvalidDataException($"{path}: card {i} has no \"start\" (seconds from the beginning of the video)");
            if (!double.IsFinite(start) || start < 0) throw new InvalidDataException($"{path}: card {i} starts at {start}; starts must be >= 0");
            if (!starts.TryAdd(start, i)) throw new InvalidDataException($"{path}: cards {starts[start]} and {i} both start at {start} s; each card needs its own start");
            var image = c.Image is null ? null : GenerationOptions.ReadImage(Path.Combine(folder, c.Image));
            return new StoryboardCard(start, c.Prompt, image);
        }).ToList();
    }

    private sealed record BoardFile(List<CardFile>? Cards);

    private sealed record CardFile(double? Start, string? Prompt, string? Image);
}
