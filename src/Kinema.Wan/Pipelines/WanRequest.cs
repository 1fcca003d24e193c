using System.Globalization;
using Kinema.Pipelines;

namespace Kinema.Wan.Pipelines;

/// <summary>A Kinema <see cref="VideoRequest"/> with every setting decided and checked against a Wan folder.</summary>
public sealed record WanResolvedRequest(
    string Prompt,
    string NegativePrompt,
    int Width,
    int Height,
    int Frames,
    int Fps,
    int Steps,
    double Guidance,
    double Shift,
    long Seed)
{
    /// <summary>Classifier-free guidance runs only above 1 (diffusers' do_classifier_free_guidance).</summary>
    public bool Guided => Guidance > 1.0;
}

/// <summary>Fills a request's gaps with the folder's defaults and rejects what Wan cannot do, naming each problem.</summary>
public static class WanRequestValidator
{
    /// <summary>Upper bounds that keep a typo from asking for hours of work; Wan itself has no hard limits.</summary>
    public const int MaxSide = 2048, MaxFrames = 1 + 4 * 64, MaxSteps = 200;
    public const double MaxGuidance = 30;

    /// <exception cref="InvalidRequestException">the request does not fit; the message lists every problem.</exception>
    public static WanResolvedRequest Resolve(VideoRequest request, WanModel model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        var d = model.Defaults;
        var problems = new List<string>();

        if (string.IsNullOrWhiteSpace(request.Prompt)) problems.Add("prompt must not be empty");
        if (request.Sampler is not null) problems.Add("Wan samples with UniPC (its scheduler config); --sampler is not supported");
        if (request.GuidanceMinSigma is not null) problems.Add("Wan guides every step as its reference does; --guidance-min-sigma is not supported");
        if (request.Eta is not null) problems.Add("Wan samples with UniPC, which draws no fresh noise; --eta is not supported");
        int width = request.Width ?? d.Width, height = request.Height ?? d.Height;
        int fps = request.Fps ?? d.Fps, steps = request.Steps ?? d.Steps;
        double seconds = request.Seconds ?? d.Seconds, guidance = request.Guidance ?? d.Guidance, shift = request.Shift ?? d.Shift;

        int multiple = model.SizeMultiple;
        CheckSide("width", width, multiple, problems);
        CheckSide("height", height, multiple, problems);
        if (fps < 1 || fps > 120) problems.Add($"fps must be between 1 and 120, got {fps}");
        if (steps < 1 || steps > MaxSteps) problems.Add($"steps must be between 1 and {MaxSteps}, got {steps}");
        if (!double.IsFinite(guidance) || guidance < 1 || guidance > MaxGuidance)
            problems.Add($"guidance must be between 1 (off) and {MaxGuidance}, got {guidance}");
        if (!double.IsFinite(shift) || shift <= 0) problems.Add($"shift must be > 0, got {shift}");

        int frames = 0;
        if (!double.IsFinite(seconds) || seconds <= 0) problems.Add($"seconds must be > 0, got {seconds}");
        else if (fps >= 1) frames = CheckFrames(seconds, fps, model.FrameStride, problems);

        if (problems.Count > 0) throw new InvalidRequestException(string.Join("; ", problems));
        return new WanResolvedRequest(request.Prompt, request.NegativePrompt ?? d.NegativePrompt, width, height, frames, fps, steps,
            guidance, shift, request.Seed);
    }

    private static void CheckSide(string name, int value, int multiple, List<string> problems)
    {
        if (value < multiple || value > MaxSide || value % multiple != 0)
            problems.Add($"{name} must be a multiple of {multiple} (VAE compression x patch size) between {multiple} and {MaxSide - MaxSide % multiple}, got {value}");
    }

    // The VAE keeps the first frame and compresses every further `stride` frames into one latent frame, so a Wan video
    // has 1 + stride·k frames. The duration is not rounded silently: a wrong count is an error with the two nearest fits.
    private static int CheckFrames(double seconds, int fps, int stride, List<string> problems)
    {
        int frames = (int)Math.Round(seconds * fps);
        if (frames >= 1 && frames <= MaxFrames && (frames - 1) % stride == 0) return frames;
        if (frames > MaxFrames)
        {
            problems.Add($"{seconds.ToString(CultureInfo.InvariantCulture)} s at {fps} fps is {frames} frames; at most {MaxFrames} are allowed");
            return 0;
        }
        int below = Math.Max(1, (frames - 1) / stride * stride + 1), above = below + stride;
        string Fit(int n) => $"{n} frames = --seconds {(n / (double)fps).ToString("0.####", CultureInfo.InvariantCulture)}";
        problems.Add($"Wan generates 1 + {stride}k frames; {seconds.ToString(CultureInfo.InvariantCulture)} s at {fps} fps is {frames} frames "
            + $"(nearest: {Fit(below)}, or {Fit(above)})");
        return 0;
    }
}
