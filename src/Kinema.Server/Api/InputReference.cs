namespace Kinema.Server.Api;

/// <summary>
/// <c>input_reference</c> of a create request: an uploaded image, or exactly one of
/// <c>{"image_url": …}</c> (http(s) or base64 data URL) and <c>{"file_id": …}</c>.
/// </summary>
public static class InputReference
{
    private const string Param = "input_reference";

    public static async Task<byte[]?> Read(RequestFields fields, Uploads uploads, CancellationToken cancellation)
    {
        if (fields.File(Param) is { } file) return await uploads.ReadAll(file, Param, Uploads.MaxImageBytes, cancellation);
        if (!fields.Has(Param)) return null;
        if (!fields.IsObject(Param))
            throw new ApiException(400, $"'{Param}' must be an uploaded image or an object with image_url or file_id", Param, "invalid_type");
        var reference = fields.ObjectStrings(Param);
        if (reference.Count != 1)
            throw ApiException.BadRequest($"'{Param}' must have exactly one of image_url or file_id, got {(reference.Count == 0 ? "neither" : string.Join(" and ", reference.Keys))}", Param);
        var (key, value) = reference.Single();
        return key switch
        {
            "image_url" => await uploads.FetchImageUrl(value, $"{Param}.image_url", cancellation),
            "file_id" => throw ApiException.BadRequest("this server has no Files API, so file_id cannot be resolved; upload the image or pass image_url (a base64 data URL works)", $"{Param}.file_id", "unsupported_parameter"),
            _ => throw ApiException.BadRequest($"'{Param}' has an unknown property '{key}'; use image_url or file_id", Param),
        };
    }
}
