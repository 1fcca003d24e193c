using Kinema.Schedulers;

namespace Kinema.Server.Jobs;

/// <summary>What a job asks for; each kind maps to one pipeline call.</summary>
public enum JobKind
{
    TextToVideo,
    ImageToVideo,
    Remix,
    Edit,
    Extend,
    Loop,
    Connect,
    Storyboard,
    /// <summary>One frame, for <c>POST /v1/images/generations</c>; its id starts <c>img_</c> and it is not listed with the videos.</summary>
    Image,
}

/// <summary>The OpenAI job states: queued → in_progress → completed | failed.</summary>
public enum VideoStatus
{
    Queued,
    InProgress,
    Completed,
    Failed,
}

public static class JobEnumNames
{
    public static string ToWire(this VideoStatus status) => status switch
    {
        VideoStatus.Queued => "queued",
        VideoStatus.InProgress => "in_progress",
        VideoStatus.Completed => "completed",
        VideoStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static VideoStatus ParseStatus(string text) => text switch
    {
        "queued" => VideoStatus.Queued,
        "in_progress" => VideoStatus.InProgress,
        "completed" => VideoStatus.Completed,
        "failed" => VideoStatus.Failed,
        _ => throw new InvalidDataException($"unknown job status '{text}' in the job store"),
    };

    public static string ToWire(this JobKind kind) => kind switch
    {
        JobKind.TextToVideo => "text_to_video",
        JobKind.ImageToVideo => "image_to_video",
        JobKind.Remix => "remix",
        JobKind.Edit => "edit",
        JobKind.Extend => "extend",
        JobKind.Loop => "loop",
        JobKind.Connect => "connect",
        JobKind.Storyboard => "storyboard",
        JobKind.Image => "image",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static JobKind ParseKind(string text) => text switch
    {
        "text_to_video" => JobKind.TextToVideo,
        "image_to_video" => JobKind.ImageToVideo,
        "remix" => JobKind.Remix,
        "edit" => JobKind.Edit,
        "extend" => JobKind.Extend,
        "loop" => JobKind.Loop,
        "connect" => JobKind.Connect,
        "storyboard" => JobKind.Storyboard,
        "image" => JobKind.Image,
        _ => throw new InvalidDataException($"unknown job kind '{text}' in the job store"),
    };
}

/// <summary>
/// Everything a worker needs to run a job again from scratch (after a restart too): the generation
/// settings, already checked against the model, plus the stored inputs of derived jobs.
/// </summary>
public sealed record JobParameters
{
    public string NegativePrompt { get; init; } = "";
    /// <summary>The prompt the model gets when the original named characters (names replaced by descriptions); null otherwise.</summary>
    public string? ExpandedPrompt { get; init; }
    /// <summary>Seconds to generate (for an extension: the seconds added).</summary>
    public double Seconds { get; init; }
    public int Fps { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int Steps { get; init; }
    public double Guidance { get; init; }
    /// <summary>Guidance only at noise levels at or above this; null in jobs stored before it existed (the model's default).</summary>
    public double? GuidanceMinSigma { get; init; }
    /// <summary>The solver's name (<c>euler</c>, <c>dpm++2m</c>, <c>euler-a</c>); null in jobs stored before it existed (the model's default).</summary>
    public string? Sampler { get; init; }

    /// <summary><see cref="Sampler"/> as the pipelines take it; null leaves it to the model.</summary>
    public SamplerKind? ParsedSampler() => Sampler is string name ? SamplerNames.Parse(name) : null;
    /// <summary>The ancestral sampler's share of fresh noise; null in jobs stored before it existed (the model's default).</summary>
    public double? Eta { get; init; }
    public long Seed { get; init; }
    /// <summary>Edit: how far the result may depart from the source, 0 (keep) to 1 (regenerate).</summary>
    public double? Strength { get; init; }
    /// <summary>Extend: add the new seconds before the source instead of after it.</summary>
    public bool Backward { get; init; }
    /// <summary>
    /// Extend without a size asked for: the result keeps the source at its own size (<see cref="Width"/> and
    /// <see cref="Height"/> are then the model's working size on its grid).
    /// </summary>
    public bool KeepSourceSize { get; init; }
    /// <summary>Image-to-video: the first frame, a file in the job's input folder.</summary>
    public string? FirstFrameFile { get; init; }
    /// <summary>Image-to-video: the frame the video ends on, a file in the job's input folder.</summary>
    public string? LastFrameFile { get; init; }
    /// <summary>
    /// Edit / extend / connect / remix: the source video (connect: the one the transition starts from), a file in the
    /// job's input folder. Null in remix jobs stored before remix conditioned on the source (they run as text-to-video).
    /// </summary>
    public string? SourceVideoFile { get; init; }
    /// <summary>Connect: the video the transition leads into, a file in the job's input folder.</summary>
    public string? SecondVideoFile { get; init; }
    /// <summary>Connect: return only the generated transition.</summary>
    public bool TransitionOnly { get; init; }
    /// <summary>Storyboard: the cards, their prompts already expanded, their images files in the job's input folder.</summary>
    public IReadOnlyList<StoredCard>? Cards { get; init; }
}

/// <summary>A storyboard card as a job stores it.</summary>
public sealed record StoredCard(double Start, string Prompt, string? ImageFile = null);

/// <summary>One row of the job store.</summary>
public sealed record VideoJob
{
    public required string Id { get; init; }
    /// <summary>Who may see it: the API key's owner id, or "" when the server runs without keys.</summary>
    public required string Owner { get; init; }
    public required JobKind Kind { get; init; }
    public VideoStatus Status { get; init; } = VideoStatus.Queued;
    public int Progress { get; init; }
    public required string Model { get; init; }
    public string? Prompt { get; init; }
    public required string Size { get; init; }
    public required string Seconds { get; init; }
    public string? RemixedFromVideoId { get; init; }
    public string? SourceVideoId { get; init; }
    public required JobParameters Parameters { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public required long CreatedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? CompletedAt { get; init; }
    public long? ExpiresAt { get; init; }
    public double? GenerationSeconds { get; init; }
    public bool AssetsDeleted { get; init; }
    /// <summary>The invisible watermark payload of the finished output (16 hex digits); null until it is written.</summary>
    public string? WatermarkPayload { get; init; }
}
