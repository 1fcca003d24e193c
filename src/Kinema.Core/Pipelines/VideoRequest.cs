using Kinema.Schedulers;

namespace Kinema.Pipelines;

/// <summary>
/// What to generate. Settings left null take the model's defaults (<see cref="GenerationDefaults"/>);
/// <see cref="VideoRequestValidator"/> checks the rest against the model's grid and limits.
/// </summary>
public sealed record VideoRequest
{
    public required string Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public double? Seconds { get; init; }
    public int? Fps { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public int? Steps { get; init; }
    /// <summary>Classifier-free guidance scale; 1 disables guidance (and halves the work).</summary>
    public double? Guidance { get; init; }
    /// <summary>
    /// Guidance applies only at noise levels σ ≥ this (0 = every step); below it the prompt's prediction alone
    /// is used, which also skips the unconditional pass. See <see cref="GenerationDefaults.GuidanceMinSigma"/>.
    /// </summary>
    public double? GuidanceMinSigma { get; init; }
    public long Seed { get; init; }
    public SamplerKind? Sampler { get; init; }
    /// <summary>The ancestral sampler's share of fresh noise (see <see cref="GenerationDefaults.Eta"/>).</summary>
    public double? Eta { get; init; }
    /// <summary>Timestep shift of the noise schedule (see <see cref="FlowMatchSchedule"/>).</summary>
    public double? Shift { get; init; }
}

/// <summary>A request with every setting decided and checked.</summary>
public sealed record ResolvedVideoRequest(
    string Prompt,
    string NegativePrompt,
    double Seconds,
    int Fps,
    int Width,
    int Height,
    int Steps,
    double Guidance,
    long Seed,
    SamplerKind Sampler,
    double Shift,
    int FrameCount,
    int LatentFrames,
    double GuidanceMinSigma = 0,
    double Eta = 1.0)
{
    /// <summary>The eta the solver uses: <see cref="Eta"/> for <c>euler-a</c>; null for the ODE samplers, which draw no noise.</summary>
    public double? EffectiveEta => Sampler == SamplerKind.EulerAncestral ? Eta : null;
}

/// <summary>A request that cannot be served; the message says what is wrong and what is allowed.</summary>
public sealed class InvalidRequestException(string message) : ArgumentException(message);

/// <summary>Fills in defaults and checks a request against a model.</summary>
public static class VideoRequestValidator
{
    public static ResolvedVideoRequest Resolve(VideoRequest request, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(request);
        var d = config.Defaults;
        var limits = config.Limits;
        var problems = new List<string>();

        string prompt = request.Prompt ?? "";
        if (string.IsNullOrWhiteSpace(prompt)) problems.Add("prompt must not be empty");
        double seconds = request.Seconds ?? d.Seconds;
        int fps = request.Fps ?? d.Fps;
        int width = request.Width ?? d.Width, height = request.Height ?? d.Height;
        int steps = request.Steps ?? d.Steps;
        double guidance = request.Guidance ?? d.Guidance;
        double shift = request.Shift ?? d.Shift;
        double guidanceMinSigma = request.GuidanceMinSigma ?? d.GuidanceMinSigma;
        double eta = request.Eta ?? d.Eta;

        if (!double.IsFinite(seconds) || seconds <= 0) problems.Add($"seconds must be > 0, got {seconds}");
        else if (seconds > limits.MaxSeconds) problems.Add($"seconds must be at most {limits.MaxSeconds} for this model, got {seconds}");
        if (fps < 1 || fps > limits.MaxFps) problems.Add($"fps must be between 1 and {limits.MaxFps}, got {fps}");
        int multiple = config.SizeMultiple;
        CheckSize("width", width, limits.MinSize, limits.MaxWidth, multiple, problems);
        CheckSize("height", height, limits.MinSize, limits.MaxHeight, multiple, problems);
        if (steps < 1 || steps > limits.MaxSteps) problems.Add($"steps must be between 1 and {limits.MaxSteps}, got {steps}");
        if (!double.IsFinite(guidance) || guidance < 1 || guidance > limits.MaxGuidance)
            problems.Add($"guidance must be between 1 (off) and {limits.MaxGuidance}, got {guidance}");
        if (!double.IsFinite(shift) || shift <= 0) problems.Add($"shift must be > 0, got {shift}");
        if (!(guidanceMinSigma >= 0 && guidanceMinSigma <= 1)) problems.Add($"guidance min sigma must be between 0 (guide every step) and 1, got {guidanceMinSigma}");
        if (!(eta >= 0 && eta <= 1)) problems.Add($"eta must be between 0 (no fresh noise) and 1 (all fresh), got {eta}");

        int frameCount = 0;
        if (problems.Count == 0)
        {
            frameCount = (int)Math.Round(seconds * fps);
            if (frameCount < 1) problems.Add($"seconds x fps must give at least one frame, got {seconds} x {fps}");
        }
        if (problems.Count > 0) throw new InvalidRequestException(string.Join("; ", problems));

        int latentFrames = config.Vae.LatentFrames(frameCount);
        int patchFrames = config.Transformer.PatchSize[0];
        latentFrames = (latentFrames + patchFrames - 1) / patchFrames * patchFrames;
        return new ResolvedVideoRequest(prompt, request.NegativePrompt ?? d.NegativePrompt, seconds, fps, width, height, steps, guidance,
            request.Seed, request.Sampler ?? d.Sampler, shift, frameCount, latentFrames, guidanceMinSigma, eta);
    }

    private static void CheckSize(string name, int value, int min, int max, int multiple, List<string> problems)
    {
        if (value < min || value > max || value % multiple != 0)
            problems.Add($"{name} must be a multiple of {multiple} between {RoundUp(min, multiple)} and {max - max % multiple} (the latent grid), got {value}");
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
