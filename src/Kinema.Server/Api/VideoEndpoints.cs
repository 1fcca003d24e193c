using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>POST/GET/DELETE /v1/videos and the content downloads.</summary>
public static class VideoEndpoints
{
    /// <summary>How often SDK pollers should come back (the openai-poll-after-ms header).</summary>
    public const int PollAfterMs = 1000;

    public static void Map(RouteGroupBuilder videos)
    {
        videos.MapPost("", Create);
        videos.MapGet("", List);
        videos.MapGet("/{id}", Retrieve);
        videos.MapDelete("/{id}", Delete);
        videos.MapGet("/{id}/content", Content);
    }

    private static async Task<IResult> Create(HttpContext context, VideoService service, Uploads uploads, DataFolder data, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, request, expanded) = PromptedRequest.Read(fields, context, policy, characters);
        service.Model.CheckRequested(fields.String("model"));
        var first = await InputReference.Read(fields, uploads, context.RequestAborted);
        var last = await InputReference.Read(fields, uploads, context.RequestAborted, InputReference.LastFrame);
        fields.RejectUnknown();

        string id = Ids.New("video");
        return InputGuard.Run(data, id, () =>
        {
            string? firstFile = null, lastFile = null;
            if (first is not null || last is not null)
            {
                // The size follows the first image (else the last) unless one is asked for; both are fitted to it.
                var firstImage = first is null ? null : uploads.SaveImage(first, InputReference.FirstFrame, data.InputFolder(id), "first_frame");
                var lastImage = last is null ? null : uploads.SaveImage(last, InputReference.LastFrame, data.InputFolder(id), "last_frame");
                var shape = (firstImage ?? lastImage)!.Frame;
                var (w, h) = Pipelines.ConditioningFrames.SizeFor(request, shape.Width, shape.Height, service.Model.Config);
                request = request with { Width = w, Height = h };
                (firstFile, lastFile) = (firstImage?.FileName, lastImage?.FileName);
            }
            var resolved = GenerationFields.Resolve(request, service.Model);
            if (firstFile is not null && lastFile is not null)
            {
                try
                {
                    Pipelines.AnimatePipeline.CheckRoomForBothEnds(resolved, service.Model.Config);
                }
                catch (Pipelines.InvalidRequestException e)
                {
                    throw ApiException.BadRequest(e.Message, "seconds", "unsupported_value");
                }
            }
            return service.Queue(context, id, firstFile is null && lastFile is null ? JobKind.TextToVideo : JobKind.ImageToVideo, prompt, resolved,
                GenerationFields.ToParameters(resolved) with { FirstFrameFile = firstFile, LastFrameFile = lastFile, ExpandedPrompt = expanded });
        });
    }

    private static IResult Retrieve(HttpContext context, string id, VideoService service)
    {
        var job = service.Find(id, context.Owner());
        context.Response.Headers["openai-poll-after-ms"] = PollAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(service.ToObject(job), ServerJson.Options);
    }

    private static IResult List(HttpContext context, VideoStore store, VideoService service)
    {
        var query = context.Request.Query;
        int limit = 20;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit > 100))
            throw ApiException.BadRequest($"'limit' must be a whole number from 0 to 100, got '{limitText}'", "limit");
        string order = query.TryGetValue("order", out var orderText) ? orderText.ToString() : "desc";
        if (order is not ("asc" or "desc")) throw ApiException.BadRequest($"'order' must be 'asc' or 'desc', got '{order}'", "order");
        string? after = query.TryGetValue("after", out var afterText) && afterText.ToString().Length > 0 ? afterText.ToString() : null;
        var page = store.List(context.Owner(), after, limit, descending: order == "desc")
            ?? throw ApiException.BadRequest($"'after' is not the id of one of your videos: '{after}'", "after", "invalid_cursor");
        var data = page.Items.Select(service.ToObject).ToList();
        return Results.Json(new VideoList("list", data, data.FirstOrDefault()?.Id, data.LastOrDefault()?.Id, page.HasMore), ServerJson.Options);
    }

    private static IResult Delete(HttpContext context, string id, VideoService service)
    {
        var deleted = service.Delete(id, context.Owner());
        return Results.Json(new VideoDeleted(deleted.Id, "video.deleted", true), ServerJson.Options);
    }

    private static IResult Content(HttpContext context, string id, VideoService service, DataFolder data)
    {
        var job = service.Find(id, context.Owner());
        string variant = context.Request.Query.TryGetValue("variant", out var v) ? v.ToString() : "video";
        var (file, contentType) = variant switch
        {
            "video" => (DataFolder.VideoFileName, "video/mp4"),
            "thumbnail" => (DataFolder.ThumbnailFileName, "image/webp"),
            "spritesheet" => (DataFolder.SpritesheetFileName, "image/webp"),
            _ => throw ApiException.BadRequest($"'variant' must be video, thumbnail or spritesheet, got '{variant}'", "variant"),
        };
        if (job.Status != VideoStatus.Completed)
            throw new ApiException(409, $"video '{id}' is {job.Status.ToWire()}; content is available once it is completed", null, "video_not_ready");
        if (job.AssetsDeleted || job.ExpiresAt <= service.Now())
            throw new ApiException(410, $"video '{id}' expired at {DateTimeOffset.FromUnixTimeSeconds(job.ExpiresAt ?? 0):u} and its files were deleted", null, "video_expired");
        string path = data.Asset(id, file);
        if (!File.Exists(path)) throw new ApiException(410, $"the {variant} of video '{id}' is no longer on disk", null, "video_expired");
        return Results.File(path, contentType, fileDownloadName: $"{id}{Path.GetExtension(file)}", enableRangeProcessing: true);
    }
}
