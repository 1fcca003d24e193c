using Kinema.Schedulers;
using Kinema.Server.Jobs;

namespace Kinema.Server.Api;

/// <summary>
/// GET /v1/models (OpenAI's model list) and GET /v1/models/{id} with a <c>capabilities</c> document:
/// the sizes, durations and settings this model accepts, which replace OpenAI's fixed enums.
/// </summary>
public static class DiscoveryEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/models", (ServedModel model, ServerStart start) => Results.Json(new
        {
            @object = "list",
            data = new[] { Describe(model, start) },
        }, ServerJson.Options));
        v1.MapGet("/models/{id}", (string id, ServedModel model, ServerStart start) =>
            id == model.Name || ServedModel.OpenAiAliases.Contains(id)
                ? Results.Json(Describe(model, start), ServerJson.Options)
                : throw ApiException.NotFound("model", id));
    }

    private static object Describe(ServedModel model, ServerStart start)
    {
        var config = model.Config;
        var d = config.Defaults;
        var l = config.Limits;
        int m = config.SizeMultiple;
        int minSize = (l.MinSize + m - 1) / m * m;
        return new
        {
            id = model.Name,
            @object = "model",
            created = start.UnixSeconds,
            owned_by = "kinema",
            description = config.Description,
            aliases = ServedModel.OpenAiAliases,
            capabilities = new
            {
                endpoints = new[] { "videos.create", "videos.remix", "videos.edits", "videos.extensions", "videos.characters", "videos.loops", "videos.connections", "videos.storyboards", "images.generate" },
                input_reference = new[] { "image/png", "image/jpeg", "image/webp" },
                last_frame_reference = new[] { "image/png", "image/jpeg", "image/webp" },
                size = new
                {
                    multiple_of = m,
                    min_width = minSize,
                    max_width = l.MaxWidth - l.MaxWidth % m,
                    min_height = minSize,
                    max_height = l.MaxHeight - l.MaxHeight % m,
                    @default = $"{d.Width}x{d.Height}",
                    format = "WIDTHxHEIGHT",
                },
                seconds = new { min_exclusive = 0, max = l.MaxSeconds, @default = d.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                fps = new { min = 1, max = l.MaxFps, @default = d.Fps },
                steps = new { min = 1, max = l.MaxSteps, @default = d.Steps },
                guidance = new { min = 1, max = l.MaxGuidance, @default = d.Guidance },
                guidance_min_sigma = new { min = 0, max = 1, @default = d.GuidanceMinSigma },
                sampler = new { values = SamplerNames.All, @default = d.Sampler.ToName() },
                eta = new { min = 0, max = 1, @default = d.Eta, applies_to = "euler-a" },
                seed = new { @default = "random; pass one to reproduce a video" },
                negative_prompt = new { @default = d.NegativePrompt },
                edit_strength = new { min_exclusive = 0, max = 1, @default = Pipelines.EditRequest.DefaultStrength, applies_to = "edits, remix" },
                extension_backward = new { @default = false },
                content_variants = new { video = "video/mp4", thumbnail = "image/webp", spritesheet = "image/webp" },
            },
        };
    }
}

/// <summary>When this server process started (the model list's <c>created</c>).</summary>
public sealed record ServerStart(long UnixSeconds);
