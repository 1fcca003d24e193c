using System.Globalization;
using System.Security.Cryptography;
using Kinema.Pipelines;
using Kinema.Schedulers;
using Kinema.Server.Jobs;

namespace Kinema.Server.Api;

/// <summary>
/// The generation settings a request may carry: OpenAI's <c>size</c> and <c>seconds</c> (any value the
/// model can do, not just OpenAI's enums) and Kinema's extras <c>steps</c>, <c>guidance</c>, <c>guidance_min_sigma</c>,
/// <c>sampler</c>, <c>eta</c>, <c>seed</c>, <c>negative_prompt</c> and <c>fps</c>. Checked against the model with the same
/// validator the pipelines use, so a job that is accepted can run.
/// </summary>
public static class GenerationFields
{
    public const int MaxPromptLength = 32000;

    /// <summary>Why <c>fps</c> is refused where the result keeps a source's frame rate (remix, edits, extensions, connections).</summary>
    public const string KeepsSourceFps = "the result keeps its source video's frame rate";

    /// <param name="fpsRefusal">Why <c>fps</c> cannot be set for this request (e.g. <see cref="KeepsSourceFps"/>), making it a 400; null where it can.</param>
    public static VideoRequest Read(RequestFields fields, string prompt, bool allowSize = true, bool allowSeconds = true, string? fpsRefusal = null)
    {
        if (fpsRefusal is not null && fields.Has("fps"))
            throw ApiException.BadRequest($"'fps' cannot be set here: {fpsRefusal}", "fps", "unsupported_parameter");
        // "auto" (OpenAI's images API) is the model's default size, as leaving size out is.
        (int W, int H)? size = allowSize && fields.String("size") is string text && text != "auto" ? ParseSize(text) : null;
        double? seconds = allowSeconds ? fields.Number("seconds") : null;
        return new VideoRequest
        {
            Prompt = prompt,
            Width = size?.W,
            Height = size?.H,
            Seconds = seconds,
            Fps = (int?)CheckedInt(fields, "fps"),
            Steps = (int?)CheckedInt(fields, "steps"),
            Guidance = fields.Number("guidance"),
            GuidanceMinSigma = fields.Number("guidance_min_sigma"),
            Sampler = fields.String("sampler") is string sampler ? ParseSampler(sampler) : null,
            Eta = fields.Number("eta"),
            Seed = fields.Integer("seed") ?? RandomNumberGenerator.GetInt32(int.MaxValue),
            NegativePrompt = fields.String("negative_prompt", 0, MaxPromptLength),
        };
    }

    public static SamplerKind ParseSampler(string name)
    {
        try
        {
            return SamplerNames.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest($"'sampler': {e.Message}", "sampler", "unsupported_value");
        }
    }

    public static (int Width, int Height) ParseSize(string text)
    {
        if (VideoSize.TryParse(text, out int w, out int h)) return (w, h);
        throw ApiException.BadRequest($"'size' must look like WIDTHxHEIGHT (e.g. 1280x720), got '{text}'", "size", "invalid_size");
    }

    /// <summary>Fills defaults and checks against the model; problems become a 400 naming what is allowed.</summary>
    public static ResolvedVideoRequest Resolve(VideoRequest request, ServedModel model)
    {
        try
        {
            return VideoRequestValidator.Resolve(request, model.Config);
        }
        catch (InvalidRequestException e)
        {
            throw ApiException.BadRequest($"{e.Message}. Allowed values for model '{model.Name}' are listed at GET /v1/models/{model.Name}", GuessParam(e.Message), "unsupported_value");
        }
    }

    /// <summary>The source video's whole frame rate, which edits and extensions keep; above the model's limit, a 400 naming it.</summary>
    public static int SourceFps(double fps, ServedModel model, string param = "video")
    {
        try
        {
            return ConditioningFrames.SourceFps(fps, model.Config);
        }
        catch (InvalidRequestException e)
        {
            throw ApiException.BadRequest(e.Message, param, "unsupported_value");
        }
    }

    public static JobParameters ToParameters(ResolvedVideoRequest r) => new()
    {
        NegativePrompt = r.NegativePrompt,
        Seconds = r.Seconds,
        Fps = r.Fps,
        Width = r.Width,
        Height = r.Height,
        Steps = r.Steps,
        Guidance = r.Guidance,
        GuidanceMinSigma = r.GuidanceMinSigma,
        Sampler = r.Sampler.ToName(),
        Eta = r.Eta,
        Seed = r.Seed,
    };

    public static string SizeText(int width, int height) => $"{width}x{height}";

    private static long? CheckedInt(RequestFields fields, string name)
    {
        long? value = fields.Integer(name);
        if (value is < int.MinValue or > int.MaxValue) throw ApiException.BadRequest($"'{name}' is out of range, got {value}", name);
        return value;
    }

    private static string? GuessParam(string message)
    {
        if (message.StartsWith("guidance min sigma", StringComparison.Ordinal)) return "guidance_min_sigma";
        string first = message.Split(' ', 2)[0];
        return first switch
        {
            "width" or "height" => "size",
            "seconds" or "fps" or "steps" or "guidance" or "prompt" or "eta" => first,
            _ => null,
        };
    }
}
