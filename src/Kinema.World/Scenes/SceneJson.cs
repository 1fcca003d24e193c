using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinema.World;

/// <summary>Thrown when a scene file cannot be read or describes an impossible scene.</summary>
public sealed class SceneFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Scenes as JSON: camelCase properties, kebab-case enum values ("pan-left", "move-up-right").</summary>
public static class SceneJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(Scene scene) => JsonSerializer.Serialize(scene, Options);

    /// <summary>Parses and validates; every failure is a <see cref="SceneFormatException"/> naming the problem.</summary>
    public static Scene Parse(string json)
    {
        Scene? scene;
        try
        {
            scene = JsonSerializer.Deserialize<Scene>(json, Options);
        }
        catch (JsonException e)
        {
            throw new SceneFormatException($"the scene is not valid scene JSON: {e.Message}", e);
        }
        if (scene is null) throw new SceneFormatException("the scene JSON is null");
        var problems = scene.Problems();
        if (problems.Count > 0) throw new SceneFormatException("the scene is invalid: " + string.Join("; ", problems));
        return scene;
    }

    public static Scene Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SceneFormatException($"cannot read scene file '{path}': {e.Message}", e);
        }
        return Parse(json);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
