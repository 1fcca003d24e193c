using System.CommandLine;
using Kinema.Media;
using Kinema.World.Characters;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema character create CLIP --name NAME</c>, <c>list</c>, <c>show NAME</c>: reusable characters.
/// A character is the appearance (colour, shape, size) read from a reference clip; prompts that mention
/// its name get that description in the model's own words instead (docs/characters.md).
/// </summary>
public static class CharacterCommand
{
    public static Command Create()
    {
        var character = new Command("character", "Reusable characters made from a short clip; prompts refer to them by name.");
        character.Subcommands.Add(CreateCreate());
        character.Subcommands.Add(CreateList());
        character.Subcommands.Add(CreateShow());
        return character;
    }

    /// <summary>
    /// Replaces the names of characters in the default store ($KINEMA_CHARACTERS or
    /// ~/.local/share/kinema/characters) by their descriptions, and says so on stderr.
    /// </summary>
    public static string ExpandPrompt(string prompt) => ExpandPrompts([prompt])[0];

    /// <summary>The same for several prompts (a storyboard's cards), reading the store once.</summary>
    public static IReadOnlyList<string> ExpandPrompts(IReadOnlyList<string> prompts)
    {
        var characters = new CharacterStore(CharacterStore.DefaultFolder()).List();
        if (characters.Count == 0) return prompts;
        return prompts.Select(prompt =>
        {
            var expanded = CharacterPrompts.Expand(prompt, characters);
            foreach (var used in expanded.Used) Console.Error.WriteLine($"characters: {used.Name} -> {used.Description}");
            return expanded.Prompt;
        }).ToList();
    }

    private static Option<string?> StoreOption() => new("--store") { Description = "Character folder (default: $KINEMA_CHARACTERS or ~/.local/share/kinema/characters)" };

    private static CharacterStore Open(ParseResult parse, Option<string?> store) =>
        new(parse.GetValue(store) is { Length: > 0 } folder ? folder : CharacterStore.DefaultFolder());

    private static Command CreateCreate()
    {
        var clip = new Argument<string>("clip") { Description = "A short video showing the character (one object against its scenery)" };
        var name = new Option<string>("--name") { Description = "The name prompts will use (1-40 letters, digits, spaces, '-', '_')", Required = true };
        var store = StoreOption();
        var command = new Command("create", "Make a character from a clip: reads its colour, shape and size") { clip, name, store };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            string path = parse.GetValue(clip)!;
            string characterName = parse.GetValue(name)!;
            if (CharacterStore.NameProblem(characterName) is { } problem) throw new ArgumentException(problem);
            var characters = Open(parse, store);
            if (characters.Find(characterName) is { } existing) throw new ArgumentException($"a character named '{existing.Name}' already exists (id {existing.Id}); pick another name");
            if (!File.Exists(path)) throw new FileNotFoundException($"clip not found: {path}");
            var video = VideoFile.Read(path);
            var appearance = CharacterAnalyzer.Analyze(video.Frames, video.Fps);
            Character created;
            try
            {
                created = characters.Create(characterName, path, appearance);
            }
            catch (CharacterStoreException e)
            {
                throw new ArgumentException(e.Message, e);
            }
            Console.WriteLine($"{created.Name}\t{created.Description}\t{created.Id}");
            if (appearance.Shape is null) Console.Error.WriteLine("note: the shape could not be told apart from the toy world's shapes; only colour and size will steer generation");
            Console.Error.WriteLine($"stored in {Path.Combine(characters.Folder, created.Id)}; prompts that say \"{created.Name}\" will ask for {created.Description}");
            return 0;
        }));
        return command;
    }

    private static Command CreateList()
    {
        var store = StoreOption();
        var command = new Command("list", "List characters: name, description, id") { store };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var characters = Open(parse, store).List();
            foreach (var c in characters) Console.WriteLine($"{c.Name}\t{c.Description}\t{c.Id}");
            if (characters.Count == 0) Console.Error.WriteLine("no characters yet: kinema character create CLIP --name NAME");
            return 0;
        }));
        return command;
    }

    private static Command CreateShow()
    {
        var name = new Argument<string>("name") { Description = "The character's name" };
        var store = StoreOption();
        var command = new Command("show", "Show one character's appearance and reference clip") { name, store };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var characters = Open(parse, store);
            var c = characters.Find(parse.GetValue(name)!) ?? throw new ArgumentException($"no character named '{parse.GetValue(name)}' in {characters.Folder}");
            Console.WriteLine($"name:        {c.Name}");
            Console.WriteLine($"id:          {c.Id}");
            Console.WriteLine($"description: {c.Description}");
            Console.WriteLine($"colour:      {c.Appearance.Color.ToString().ToLowerInvariant()} (vote share {c.Appearance.ColorConfidence:0.00})");
            Console.WriteLine($"shape:       {(c.Appearance.Shape?.ToString().ToLowerInvariant() ?? "unknown")} (fit {c.Appearance.ShapeConfidence:0.00})");
            Console.WriteLine($"size:        {c.Appearance.Size.ToString().ToLowerInvariant()}");
            Console.WriteLine($"created:     {c.CreatedAt:u}");
            Console.WriteLine($"reference:   {characters.ReferencePath(c)}");
            return 0;
        }));
        return command;
    }
}
