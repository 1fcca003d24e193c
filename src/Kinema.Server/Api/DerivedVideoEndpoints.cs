using Kinema.Pipelines;
using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>Videos made from other videos: remix, edits and extensions (each an edit or extension of the source's frames).</summary>
public static class DerivedVideoEndpoints
{
    public static void Map(RouteGroupBuilder videos)
    {
        videos.MapPost("/{id}/remix", Remix);
        videos.MapPost("/edits", Edit);
        videos.MapPost("/extensions", Extend);
    }

    /// <summary>
    /// The source re-made under a new prompt: an edit (SDEdit) of the source's own frames, so its layout and motion carry
    /// over, at the source's duration, frame rate and seed. Extras: <c>strength</c> in (0, 1] (default
    /// <see cref="EditRequest.DefaultStrength"/>; 1 keeps nothing but the seed), and steps, guidance, seed, negative prompt.
    /// </summary>
    private static async Task<IResult> Remix(HttpContext context, string id, VideoService service, DataFolder data, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, overrides, expanded) = PromptedRequest.Read(fields, context, policy, characters, allowSize: false, allowSeconds: false, fpsRefusal: GenerationFields.KeepsSourceFps);
        bool seedGiven = fields.Has("seed");
        double? strength = Strength(fields);
        fields.RejectUnknown();

        var found = service.FindCompletedSource(id, context.Owner(), "video_id");
        var p = found.Parameters;
        string jobId = Ids.New("video");
        return InputGuard.Run(data, jobId, () =>
        {
            var source = SourceVideo.Copy(found, data, jobId, "video_id");
            var (w, h) = ConditioningFrames.SizeFor(overrides, source.Width, source.Height, service.Model.Config);
            int fps = GenerationFields.SourceFps(source.Fps, service.Model);
            var resolved = GenerationFields.Resolve(new VideoRequest
            {
                Prompt = overrides.Prompt,
                Width = w,
                Height = h,
                Seconds = (double)source.FrameCount / fps,
                Fps = fps,
                Steps = overrides.Steps ?? p.Steps,
                Guidance = overrides.Guidance ?? p.Guidance,
                GuidanceMinSigma = overrides.GuidanceMinSigma ?? p.GuidanceMinSigma,
                Sampler = overrides.Sampler ?? p.ParsedSampler(),
                Eta = overrides.Eta ?? p.Eta,
                Seed = seedGiven ? overrides.Seed : p.Seed,
                NegativePrompt = overrides.NegativePrompt ?? p.NegativePrompt,
            }, service.Model);
            return service.Queue(context, jobId, JobKind.Remix, prompt, resolved,
                GenerationFields.ToParameters(resolved) with { Strength = strength, SourceVideoFile = source.FileName, ExpandedPrompt = expanded },
                sourceVideoId: found.Id, remixedFromVideoId: found.Id);
        });
    }

    private static double? Strength(RequestFields fields)
    {
        double? strength = fields.Number("strength");
        if (strength is not null && !(strength > 0 && strength <= 1))
            throw ApiException.BadRequest($"'strength' must be greater than 0 and at most 1, got {strength}", "strength");
        return strength;
    }

    /// <summary>SDEdit of a source video under a new prompt; extra field <c>strength</c> in (0, 1], default 0.6.</summary>
    private static async Task<IResult> Edit(HttpContext context, VideoService service, Uploads uploads, DataFolder data, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, request, expanded) = PromptedRequest.Read(fields, context, policy, characters, allowSize: true, allowSeconds: false, fpsRefusal: GenerationFields.KeepsSourceFps);
        double? strength = Strength(fields);
        string id = Ids.New("video");
        var source = await SourceVideo.Read(fields, context, service, uploads, data, id);
        return InputGuard.Run(data, id, () =>
        {
            fields.RejectUnknown();
            var (w, h) = ConditioningFrames.SizeFor(request, source.Width, source.Height, service.Model.Config);
            int fps = GenerationFields.SourceFps(source.Fps, service.Model);
            var resolved = GenerationFields.Resolve(request with { Width = w, Height = h, Fps = fps, Seconds = (double)source.FrameCount / fps }, service.Model);
            return service.Queue(context, id, JobKind.Edit, prompt, resolved,
                GenerationFields.ToParameters(resolved) with { Strength = strength, SourceVideoFile = source.FileName, ExpandedPrompt = expanded },
                sourceVideoId: source.VideoId);
        });
    }

    /// <summary>Adds <c>seconds</c> to a source video (after it, or before it with the extra field <c>backward</c>); the result's seconds is the stitched total.</summary>
    private static async Task<IResult> Extend(HttpContext context, VideoService service, Uploads uploads, DataFolder data, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, request, expanded) = PromptedRequest.Read(fields, context, policy, characters, allowSize: true, allowSeconds: true, fpsRefusal: GenerationFields.KeepsSourceFps);
        if (request.Seconds is null) throw new ApiException(400, "missing required parameter 'seconds' (how many seconds to add)", "seconds", "missing_required_parameter");
        bool backward = fields.Boolean("backward") ?? false;
        string id = Ids.New("video");
        var source = await SourceVideo.Read(fields, context, service, uploads, data, id);
        return InputGuard.Run(data, id, () =>
        {
            fields.RejectUnknown();
            var (w, h) = ConditioningFrames.SizeFor(request, source.Width, source.Height, service.Model.Config);
            int fps = GenerationFields.SourceFps(source.Fps, service.Model);
            var resolved = GenerationFields.Resolve(request with { Width = w, Height = h, Fps = fps }, service.Model);
            double total = (double)(source.FrameCount + resolved.FrameCount) / fps;
            bool keepSourceSize = request.Width is null && request.Height is null;
            if (total > service.Model.Config.Limits.MaxSeconds)
                throw ApiException.BadRequest($"the extended video would be {SecondsText.Format(total)} seconds; model '{service.Model.Name}' allows at most {service.Model.Config.Limits.MaxSeconds}", "seconds", "unsupported_value");
            return service.Queue(context, id, JobKind.Extend, prompt, resolved,
                GenerationFields.ToParameters(resolved) with { Backward = backward, KeepSourceSize = keepSourceSize, SourceVideoFile = source.FileName, ExpandedPrompt = expanded },
                seconds: total, size: keepSourceSize ? GenerationFields.SizeText(source.Width, source.Height) : null, sourceVideoId: source.VideoId);
        });
    }
}
