using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>An image in OpenAI's images response: the PNG, base64-encoded.</summary>
public sealed record GeneratedImage(string B64Json, string? RevisedPrompt);

/// <summary>OpenAI's images response, with the size and format of what was made.</summary>
public sealed record ImagesResponse(long Created, IReadOnlyList<GeneratedImage> Data, string Size, string OutputFormat);

/// <summary>
/// <c>POST /v1/images/generations</c>, OpenAI's images API, so <c>client.images.generate(…)</c> works: each image is a
/// one-frame video of the served model. Images wait in the same persistent queue as videos (the workers own the model),
/// ahead of them (a request is waiting), and the request answers when they are done, as OpenAI's does. Each PNG carries the invisible watermark and signed
/// Content Credentials like every video; its job (id <c>img_…</c>) is kept for <c>GET /v1/provenance</c> but not listed
/// with the videos. A request that goes away or fails before its images are done takes them with it, and a restart drops image jobs
/// whose requests ended with the previous run.
/// </summary>
public static class ImageEndpoints
{
    public const string IdPrefix = "img";
    public const int MaxImages = 10;

    public static void Map(RouteGroupBuilder v1) => v1.MapPost("/images/generations", Generate);

    private static async Task<IResult> Generate(HttpContext context, VideoService service, DataFolder data, ContentPolicy policy, CharacterStore characters, ProgressBoard board)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, request, expanded) = PromptedRequest.Read(fields, context, policy, characters, allowSeconds: false, fpsRefusal: "an image is a single frame");
        service.Model.CheckRequested(fields.String("model"), ServedModel.OpenAiImageAliases);
        long count = fields.Integer("n") ?? 1;
        if (count is < 1 or > MaxImages) throw ApiException.BadRequest($"'n' must be from 1 to {MaxImages}, got {count}", "n");
        if (fields.String("response_format") is string format && format != "b64_json")
            throw ApiException.BadRequest($"'response_format' {format} is not served here: images come back inline as b64_json (leave it out or pass b64_json)", "response_format", "unsupported_value");
        if (fields.String("output_format") is string output && output != "png")
            throw ApiException.BadRequest($"'output_format' {output} is not served here: images are PNG, the format their Content Credentials are signed in", "output_format", "unsupported_value");
        fields.String("user");   // OpenAI's end-user tag: accepted, not used
        fields.RejectUnknown();
        var resolved = GenerationFields.Resolve(request with { Seconds = 1, Fps = 1 }, service.Model);

        var ids = new List<string>();
        for (int i = 0; i < count; i++)
            ids.Add(service.Add(context, Ids.New(IdPrefix), JobKind.Image, prompt, resolved,
                GenerationFields.ToParameters(resolved) with { Seed = resolved.Seed + i, ExpandedPrompt = expanded }, seconds: 0).Id);
        using var changes = new JobChanges(board, ids);
        try
        {
            var images = new List<GeneratedImage>();
            foreach (string id in ids)
            {
                var finished = await WaitFinished(service, board, id, context.Owner(), changes, context.RequestAborted);
                if (finished.Status == VideoStatus.Failed)
                    throw new ApiException(finished.ErrorCode == "invalid_input" ? 400 : 500, $"image generation failed: {finished.ErrorMessage}", null, finished.ErrorCode ?? "generation_failed");
                byte[] png = await File.ReadAllBytesAsync(data.Asset(id, DataFolder.ImageFileName), context.RequestAborted);
                images.Add(new GeneratedImage(Convert.ToBase64String(png), null));
            }
            return Results.Json(new ImagesResponse(service.Now(), images, GenerationFields.SizeText(resolved.Width, resolved.Height), "png"), ServerJson.Options);
        }
        catch
        {
            // The request ends without its images (it went away, or one of them failed): stop the rest rather than
            // spend the workers on images no one will receive.
            foreach (string id in ids) service.Discard(id, context.Owner());
            throw;
        }
    }

    private static async Task<VideoJob> WaitFinished(VideoService service, ProgressBoard board, string id, string owner, JobChanges changes, CancellationToken cancellation)
    {
        bool woken = false;
        while (true)
        {
            // A wake for a step of a job still running (the board holds its percent until it leaves the running state)
            // cannot have finished it: only a wake after that, or the backstop, reads the store.
            if (!woken || board.Get(id) is null)
            {
                var job = service.Current(id, owner) ?? throw new ApiException(404, $"image job '{id}' was deleted before it finished", null, "not_found");
                if (job.Status is VideoStatus.Completed or VideoStatus.Failed) return job;
            }
            woken = await changes.WaitAsync(cancellation);
        }
    }
}
