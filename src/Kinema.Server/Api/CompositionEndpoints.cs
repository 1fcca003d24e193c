using System.Globalization;
using System.Text.Json;
using Kinema.Pipelines;
using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// Kinema's video routes beyond OpenAI's: seamless loops, transitions that connect two videos, and storyboards. Each
/// queues a job like <c>POST /v1/videos</c> and answers with the same video object, so the SDKs' retrieve, poll and
/// download calls work on them unchanged.
/// </summary>
public static class CompositionEndpoints
{
    public static void Map(RouteGroupBuilder videos)
    {
        videos.MapPost("/loops", Loop);
        videos.MapPost("/connections", Connect);
        videos.MapPost("/storyboards", Storyboard);
    }

    /// <summary>A video whose last frame flows into its first; <c>seconds</c> is rounded up to the latent grid.</summary>
    private static async Task<IResult> Loop(HttpContext context, VideoService service, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, request, expanded) = PromptedRequest.Read(fields, context, policy, characters);
        fields.RejectUnknown();
        var resolved = GenerationFields.Resolve(request, service.Model);
        double seconds;
        try
        {
            seconds = LoopPipeline.LoopSeconds(resolved, service.Model.Config);
        }
        catch (InvalidRequestException e)
        {
            throw ApiException.BadRequest(e.Message, "seconds", "unsupported_value");
        }
        return service.Queue(context, Ids.New("video"), JobKind.Loop, prompt, resolved, GenerationFields.ToParameters(resolved) with { ExpandedPrompt = expanded }, seconds);
    }

    /// <summary>
    /// A transition of <c>seconds</c> from the end of <c>first</c> to the start of <c>second</c> (each an upload or
    /// <c>{"id": …}</c>), at the first video's frame rate and size on the model's grid; the result is first, transition
    /// and second, or only the transition with <c>transition_only</c>. <c>prompt</c> is optional.
    /// </summary>
    private static async Task<IResult> Connect(HttpContext context, VideoService service, Uploads uploads, DataFolder data, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var (prompt, request, expanded) = PromptedRequest.Read(fields, context, policy, characters, defaultPrompt: ConnectRequest.DefaultPrompt, fpsRefusal: GenerationFields.KeepsSourceFps);
        bool transitionOnly = fields.Boolean("transition_only") ?? false;
        string id = Ids.New("video");
        // Each read removes the job's whole input folder when it fails, the first video's copy included.
        var first = await SourceVideo.Read(fields, context, service, uploads, data, id, "first", "first");
        var second = await SourceVideo.Read(fields, context, service, uploads, data, id, "second", "second");
        return InputGuard.Run(data, id, () =>
        {
            fields.RejectUnknown();
            var (w, h) = ConditioningFrames.SizeFor(request, first.Width, first.Height, service.Model.Config);
            int fps = GenerationFields.SourceFps(first.Fps, service.Model, "first");
            if (!(second.Fps > 0)) throw ApiException.BadRequest("'second' has no valid frame rate", "second", "invalid_video");
            var resolved = GenerationFields.Resolve(request with { Width = w, Height = h, Fps = fps }, service.Model);
            double seconds = (double)ConnectPipeline.ResultFrames(resolved, service.Model.Config, first.FrameCount, second.FrameCount, second.Fps, transitionOnly) / fps;
            var parameters = GenerationFields.ToParameters(resolved) with
            {
                SourceVideoFile = first.FileName, SecondVideoFile = second.FileName, TransitionOnly = transitionOnly, ExpandedPrompt = expanded,
            };
            return service.Queue(context, id, JobKind.Connect, prompt, resolved, parameters, seconds, sourceVideoId: first.VideoId);
        });
    }

    /// <summary>
    /// One continuous video from timed cards: <c>cards</c> is <c>[{"start": 0, "prompt": "…", "image": {"image_url": …}}, …]</c>
    /// (image optional), <c>seconds</c> the total (default: the last card's start plus
    /// <see cref="StoryboardRequest.DefaultLastCardSeconds"/>). Every card's prompt passes the content policy.
    /// </summary>
    private static async Task<IResult> Storyboard(HttpContext context, VideoService service, Uploads uploads, DataFolder data, ContentPolicy policy, CharacterStore characters)
    {
        var fields = await RequestFields.ReadAsync(context.Request, context.RequestAborted);
        var cards = ReadCards(fields);
        var request = GenerationFields.Read(fields, cards[0].Prompt);
        policy.Check(context, [.. cards.Select((c, i) => ($"cards[{i}].prompt", (string?)c.Prompt)), ("negative_prompt", request.NegativePrompt)]);
        fields.RejectUnknown();
        double seconds = request.Seconds ?? cards.Max(c => c.Start) + StoryboardRequest.DefaultLastCardSeconds;
        if (cards.FirstOrDefault(c => c.Start >= seconds) is { } late)
            throw ApiException.BadRequest($"card {cards.IndexOf(late)} starts at {late.Start} s, not before the end of the video ({seconds} s)", "seconds");

        string id = Ids.New("video");
        var expanded = characters.Expand(context.Owner(), cards.Select(c => c.Prompt).ToList());
        return await InputGuard.RunAsync(data, id, async () =>
        {
            var stored = new List<StoredCard>();
            for (int i = 0; i < cards.Count; i++)
            {
                string? imageFile = null;
                if (cards[i].ImageUrl is string url)
                {
                    string param = $"cards[{i}].image";
                    var image = uploads.SaveImage(await uploads.FetchImageUrl(url, param, context.RequestAborted), param, data.InputFolder(id), $"card_{i}");
                    if (i == 0 && request.Width is null && request.Height is null)
                    {
                        // As in the pipeline: without a size asked for, the video takes the first card's image's.
                        var (w, h) = ConditioningFrames.SizeFor(request, image.Frame.Width, image.Frame.Height, service.Model.Config);
                        request = request with { Width = w, Height = h };
                    }
                    imageFile = image.FileName;
                }
                stored.Add(new StoredCard(cards[i].Start, expanded[i].Prompt, imageFile));
            }
            var resolved = GenerationFields.Resolve(request with { Prompt = stored[0].Prompt, Seconds = seconds }, service.Model);
            string prompt = string.Join("\n", cards.Select(c => $"{c.Start.ToString(CultureInfo.InvariantCulture)}s: {c.Prompt}"));
            return service.Queue(context, id, JobKind.Storyboard, prompt, resolved, GenerationFields.ToParameters(resolved) with { Cards = stored });
        });
    }

    private sealed record Card(double Start, string Prompt, string? ImageUrl);

    private static List<Card> ReadCards(RequestFields fields)
    {
        var elements = fields.Array("cards")
            ?? throw new ApiException(400, "missing required parameter 'cards' ([{\"start\": 0, \"prompt\": \"…\"}, …])", "cards", "missing_required_parameter");
        if (elements.Count == 0) throw ApiException.BadRequest("'cards' needs at least one card", "cards");
        var cards = new List<Card>();
        var starts = new Dictionary<double, int>();
        for (int i = 0; i < elements.Count; i++)
        {
            string at = $"cards[{i}]";
            var e = elements[i];
            if (e.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"'{at}' must be an object {{\"start\": …, \"prompt\": …}}", at, "invalid_type");
            foreach (var property in e.EnumerateObject())
            {
                if (property.Name is not ("start" or "prompt" or "image"))
                    throw ApiException.BadRequest($"'{at}' has an unknown property '{property.Name}'; cards have start, prompt and image", $"{at}.{property.Name}", "unknown_parameter");
            }
            if (!e.TryGetProperty("start", out var startElement) || startElement.ValueKind != JsonValueKind.Number)
                throw ApiException.BadRequest($"'{at}.start' must be a number of seconds from the beginning of the video", $"{at}.start");
            double start = startElement.GetDouble();
            if (!(start >= 0)) throw ApiException.BadRequest($"'{at}.start' must be >= 0, got {start}", $"{at}.start");
            if (!starts.TryAdd(start, i)) throw ApiException.BadRequest($"cards {starts[start]} and {i} both start at {start} s; each card needs its own start", $"{at}.start");
            if (!e.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(promptElement.GetString()))
                throw ApiException.BadRequest($"'{at}.prompt' must be a non-empty string", $"{at}.prompt");
            string prompt = promptElement.GetString()!;
            if (prompt.Length > GenerationFields.MaxPromptLength)
                throw ApiException.BadRequest($"'{at}.prompt' must be at most {GenerationFields.MaxPromptLength} characters long, got {prompt.Length}", $"{at}.prompt", "string_too_long");
            string? imageUrl = null;
            if (e.TryGetProperty("image", out var image) && image.ValueKind != JsonValueKind.Null)
            {
                if (image.ValueKind != JsonValueKind.Object || !image.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String || image.EnumerateObject().Count() != 1)
                    throw ApiException.BadRequest($"'{at}.image' must be {{\"image_url\": \"…\"}} (an http(s) URL or a base64 data URL)", $"{at}.image", "invalid_type");
                imageUrl = url.GetString();
            }
            cards.Add(new Card(start, prompt, imageUrl));
        }
        cards.Sort((a, b) => a.Start.CompareTo(b.Start));
        if (cards[0].Start != 0) throw ApiException.BadRequest($"the first card must start at 0 seconds, got {cards[0].Start}", "cards");
        return cards;
    }
}
