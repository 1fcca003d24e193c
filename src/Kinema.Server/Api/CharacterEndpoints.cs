using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// Characters: a name and a reference clip, kept per owner. The current models have no character
/// conditioning, so a character is stored and returned but does not yet steer generation (docs/server.md).
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
            var character = new Character(id, context.Owner(), name, time.GetUtcNow().ToUnixTimeSeconds(), stored.FileName);
            store.Insert(character);
            return Results.Json(new CharacterObject(character.Id, character.Name, character.CreatedAt), ServerJson.Options);
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
        return Results.Json(new CharacterObject(character.Id, character.Name, character.CreatedAt), ServerJson.Options);
    }
}
