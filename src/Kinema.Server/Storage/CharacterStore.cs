using System.Text.Json;
using Kinema.World.Characters;

namespace Kinema.Server.Storage;

public sealed record Character(string Id, string Owner, string Name, long CreatedAt, string VideoFile);

/// <summary>
/// Characters: a name and the reference clip it was made from, per owner. The appearance read from the
/// clip (<see cref="CharacterAppearance"/>) is kept next to the clip as <c>appearance.json</c>, so the
/// database schema is unchanged; a character stored before appearances existed simply has none.
/// </summary>
public sealed class CharacterStore(Database database, DataFolder data)
{
    public const string AppearanceFile = "appearance.json";

    public void Insert(Character character)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "INSERT INTO characters (id, owner, name, created_at, video_file) VALUES ($id, $owner, $name, $created, $file)", null,
            ("$id", character.Id), ("$owner", character.Owner), ("$name", character.Name), ("$created", character.CreatedAt), ("$file", character.VideoFile));
    }

    public Character? Get(string id, string owner)
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT id, owner, name, created_at, video_file FROM characters WHERE id = $id AND owner = $owner", null,
            ("$id", id), ("$owner", owner));
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public IReadOnlyList<Character> ListByOwner(string owner)
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT id, owner, name, created_at, video_file FROM characters WHERE owner = $owner ORDER BY created_at, id", null,
            ("$owner", owner));
        using var reader = command.ExecuteReader();
        var result = new List<Character>();
        while (reader.Read()) result.Add(Read(reader));
        return result;
    }

    private static Character Read(Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4));

    /// <summary>Writes the appearance next to the clip (temporary file, then rename).</summary>
    public void SaveAppearance(string id, CharacterAppearance appearance)
    {
        string folder = data.CharacterFolder(id);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, AppearanceFile), temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(appearance, CharacterStoreJson.Options));
        File.Move(temp, path, overwrite: true);
    }

    public CharacterAppearance? Appearance(string id)
    {
        string path = Path.Combine(data.CharacterFolder(id), AppearanceFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<CharacterAppearance>(File.ReadAllText(path), CharacterStoreJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Replaces the names of the owner's characters in <paramref name="prompt"/> by their descriptions.</summary>
    public ExpandedPrompt Expand(string owner, string prompt) => Expand(owner, [prompt])[0];

    /// <summary>Replaces the names of the owner's characters in each prompt (a storyboard's cards), reading the store once.</summary>
    public IReadOnlyList<ExpandedPrompt> Expand(string owner, IReadOnlyList<string> prompts)
    {
        var characters = new List<Kinema.World.Characters.Character>();
        foreach (var c in ListByOwner(owner))
        {
            if (Appearance(c.Id) is not { } appearance) continue;
            characters.Add(new Kinema.World.Characters.Character(c.Id, c.Name, DateTimeOffset.FromUnixTimeSeconds(c.CreatedAt), appearance, appearance.Description, c.VideoFile));
        }
        return prompts.Select(prompt => CharacterPrompts.Expand(prompt, characters)).ToList();
    }
}
