using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Media;
using Kinema.Server.Storage;
using Kinema.World.Characters;
using Character = Kinema.Server.Storage.Character;
using CharacterStore = Kinema.Server.Storage.CharacterStore;

namespace Kinema.Server.Api;

/// <summary>
/// Characters: a name and a reference clip, kept per owner. On upload the clip is analysed for the
/// appearance of its main object (colour, shape, size in the toy world's words); prompts of the same
/// owner that mention the name get that description instead (docs/characters.md, docs/server.md).
/// </summary>
public static class CharacterEndpoints
{
    public static void Map(RouteGroupBuilder videos)
    {
        videos.MapPost("/characters", Create);
        videos.MapGet("/characters/{id}", Get);
    }

    private static async Task<IResult> Create(HttpContext context, CharacterStore store, Uploads uploads, DataFolder data, TimeProvider time, ContentPolicy policy)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        string name = fields.RequiredString("name", 1, 80);
        policy.Check(context, ("name", name));
        var file = fields.File("video") ?? throw new ApiException(400, "missing required parameter 'video' (the character's reference clip, uploaded as a file)", "video", "missing_required_parameter");
        fields.RejectUnknown();
        string id = Ids.New("char");
        string folder = data.CharacterFolder(id);
        try
        {
            var bytes = await uploads.ReadAll(file, "video", long.MaxValue, context.RequestAborted);
            var stored = uploads.SaveVideo(bytes, "video", folder, "reference");
            var appearance = Analyze(Path.Combine(folder, stored.FileName));
            var character = new Character(id, context.Owner(), name, time.GetUtcNow().ToUnixTimeSeconds(), stored.FileName);
            if (appearance is not null) store.SaveAppearance(id, appearance);
            store.Insert(character);
            return Results.Json(ToObject(character, appearance), ServerJson.Options);
        }
        catch
        {
            DataFolder.DeleteQuietly(folder);
            throw;
        }
    }

    private static IResult Get(HttpContext context, string id, CharacterStore store)
    {
        if (!Ids.LooksValid(id, "char") || store.Get(id, context.Owner()) is not { } character) throw ApiException.NotFound("character", id);
        return Results.Json(ToObject(character, store.Appearance(character.Id)), ServerJson.Options);
    }

    private static CharacterObject ToObject(Character character, CharacterAppearance? appearance) =>
        new(character.Id, character.Name, character.CreatedAt, appearance is null ? null : new KinemaCharacterAppearance(
            appearance.Description,
            appearance.Color.ToString().ToLowerInvariant(),
            appearance.Shape?.ToString().ToLowerInvariant(),
            appearance.Size.ToString().ToLowerInvariant()));

    /// <summary>
    /// The appearance of the clip's main object, or null when none can be found (not a toy-world clip, no
    /// single object against scenery): the character is still stored, as OpenAI clients expect, but its
    /// name is then left as it is in prompts and <c>kinema_appearance</c> is null.
    /// </summary>
    private static CharacterAppearance? Analyze(string path)
    {
        try
        {
            var clip = VideoFile.Read(path, maxFrames: 240);
            return CharacterAnalyzer.Analyze(clip.Frames, clip.Fps);
        }
        catch (Exception e) when (e is ArgumentException or MediaException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>
    /// The prompt the model gets: the owner's character names replaced by their descriptions. Returns the
    /// expanded prompt, or null when the prompt names no character (job parameters then keep only the original).
    /// </summary>
    public static string? ExpandPrompt(CharacterStore store, HttpContext context, string prompt)
    {
        var expanded = store.Expand(context.Owner(), prompt);
        return expanded.Changed ? expanded.Prompt : null;
    }
}
