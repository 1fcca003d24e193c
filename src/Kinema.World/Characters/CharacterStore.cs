using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinema.World.Characters;

/// <summary>A reusable character: a name prompts refer to, and the appearance extracted from its reference clip.</summary>
public sealed record Character(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("appearance")] CharacterAppearance Appearance,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("reference")] string Reference);

/// <summary>How characters and appearances are written: snake_case names, kebab-case enum values.</summary>
public static class CharacterStoreJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}

/// <summary>A rejected character operation (bad or duplicate name, unknown character).</summary>
public sealed class CharacterStoreException(string message) : Exception(message);

/// <summary>
/// Characters on disk: one subfolder per character holding <c>character.json</c> and the reference clip
/// it was made from. Writes go to a temporary folder that is renamed into place, so a crash never leaves
/// a half-written character. Names are 1-40 characters of letters, digits, spaces, '-' and '_', unique
/// regardless of case.
/// </summary>
public sealed class CharacterStore
{
    public const int MaxNameLength = 40;
    public const string FileName = "character.json";
    public const string EnvironmentVariable = "KINEMA_CHARACTERS";

    private static JsonSerializerOptions Json => CharacterStoreJson.Options;

    public CharacterStore(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
    }

    public string Folder { get; }

    /// <summary>$KINEMA_CHARACTERS, or ~/.local/share/kinema/characters.</summary>
    public static string DefaultFolder()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "share", "kinema", "characters");
    }

    /// <summary>Null if the name is acceptable, otherwise why not.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "a character name must not be empty";
        if (name.Length > MaxNameLength) return $"a character name has at most {MaxNameLength} characters (got {name.Length})";
        if (name != name.Trim()) return "a character name must not start or end with a space";
        foreach (char c in name)
            if (!(char.IsLetterOrDigit(c) || c is ' ' or '-' or '_'))
                return $"a character name may only contain letters, digits, spaces, '-' and '_' (found '{c}')";
        return null;
    }

    public IReadOnlyList<Character> List()
    {
        if (!Directory.Exists(Folder)) return [];
        var result = new List<Character>();
        foreach (string dir in Directory.GetDirectories(Folder))
        {
            if (Path.GetFileName(dir).StartsWith('.')) continue;
            string file = Path.Combine(dir, FileName);
            if (!File.Exists(file)) continue;
            try
            {
                if (JsonSerializer.Deserialize<Character>(File.ReadAllText(file), Json) is { } c) result.Add(c);
            }
            catch (JsonException)
            {
                // A damaged entry must not hide the others.
            }
        }
        return result.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public Character? Find(string name) =>
        List().FirstOrDefault(c => string.Equals(c.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Path of a character's reference clip.</summary>
    public string ReferencePath(Character character) => Path.Combine(Folder, character.Id, character.Reference);

    /// <summary>Stores a new character with a copy of <paramref name="clipPath"/>; rejects bad and duplicate names.</summary>
    public Character Create(string name, string clipPath, CharacterAppearance appearance, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(appearance);
        if (NameProblem(name) is { } problem) throw new CharacterStoreException(problem);
        if (!File.Exists(clipPath)) throw new CharacterStoreException($"reference clip not found: {clipPath}");
        if (Find(name) is { } existing) throw new CharacterStoreException($"a character named '{existing.Name}' already exists (id {existing.Id}); pick another name");
        Directory.CreateDirectory(Folder);
        var created = now ?? DateTimeOffset.UtcNow;
        string id = "char_" + created.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture) + "_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);
        string extension = Path.GetExtension(clipPath);
        string reference = "reference" + (string.IsNullOrEmpty(extension) ? ".mp4" : extension.ToLowerInvariant());
        var character = new Character(id, name, created, appearance, appearance.Description, reference);
        string temp = Path.Combine(Folder, "." + id + ".tmp");
        string final = Path.Combine(Folder, id);
        try
        {
            Directory.CreateDirectory(temp);
            File.Copy(clipPath, Path.Combine(temp, reference));
            File.WriteAllText(Path.Combine(temp, FileName), JsonSerializer.Serialize(character, Json));
            Directory.Move(temp, final);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
        return character;
    }
}
