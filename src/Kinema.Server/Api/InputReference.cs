namespace Kinema.Server.Api;

/// <summary>
/// <c>input_reference</c> of a create request (and Kinema's <c>last_frame_reference</c>, the frame a video ends on): an
/// uploaded image, or exactly one of <c>{"image_url": …}</c> (http(s) or base64 data URL) and <c>{"file_id": …}</c>.
/// </summary>
public static class InputReference
{
    public const string FirstFrame = "input_reference";
    public const string LastFrame = "last_frame_reference";

    public static async Task<byte[]?> Read(RequestFields fields, Uploads uploads, CancellationToken cancellation, string param = FirstFrame)
    {
        if (fields.File(param) is { } file) return await uploads.ReadAll(file, param, Uploads.MaxImageBytes, cancellation);
        if (!fields.Has(param)) return null;
        if (!fields.IsObject(param))
            throw new ApiException(400, $"'{param}' must be an uploaded image or an object with image_url or file_id", param, "invalid_type");
        var reference = fields.ObjectStrings(param);
        if (reference.Count != 1)
            throw ApiException.BadRequest($"'{param}' must have exactly one of image_url or file_id, got {(reference.Count == 0 ? "neither" : string.Join(" and ", reference.Keys))}", param);
        var (key, value) = reference.Single();
        return key switch
        {
            "image_url" => await uploads.FetchImageUrl(value, $"{param}.image_url", cancellation),
            "file_id" => throw ApiException.BadRequest("this server has no Files API, so file_id cannot be resolved; upload the image or pass image_url (a base64 data URL works)", $"{param}.file_id", "unsupported_parameter"),
            _ => throw ApiException.BadRequest($"'{param}' has an unknown property '{key}'; use image_url or file_id", param),
        };
    }
}
