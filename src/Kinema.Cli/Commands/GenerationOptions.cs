using System.CommandLine;
using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Responsibility.Publishing;
using Kinema.Schedulers;

namespace Kinema.Cli.Commands;

/// <summary>
/// The options every generating command shares, named the same everywhere, and the steps they share:
/// load the model, note unknown words, run a pipeline with a progress display, write the result.
/// </summary>
public sealed class GenerationOptions
{
    public Option<string> Output { get; }
    public Option<double?> Seconds { get; } = new("--seconds") { Description = "Duration in seconds (default: the model's)" };
    public Option<int?> Fps { get; } = new("--fps") { Description = "Frames per second (default: the model's)" };
    public Option<string?> Size { get; } = new("--size") { Description = "WIDTHxHEIGHT, multiples of the model's grid (default: the model's)" };
    public Option<int?> Steps { get; } = new("--steps") { Description = "Denoising steps" };
    public Option<double?> Guidance { get; } = new("--guidance") { Description = "Classifier-free guidance scale (1 = off)" };
    public Option<double?> GuidanceMinSigma { get; } = new("--guidance-min-sigma") { Description = "Guide only at noise levels at or above this sigma, 0-1 (0 = every step; default: the model's)" };
    public Option<long> Seed { get; } = new("--seed") { Description = "Random seed; same seed and settings give the same video", DefaultValueFactory = _ => 0 };
    public Option<string?> Negative { get; } = new("--negative") { Description = "Negative prompt: what to steer away from" };
    public Option<string?> Sampler { get; } = new("--sampler") { Description = $"Solver: {string.Join(", ", SamplerNames.All)}" };
    public Option<double?> Eta { get; } = new("--eta") { Description = "For euler-a: the share of fresh noise at each step, 0-1 (default: the model's)" };
    public Option<double?> Shift { get; } = new("--shift") { Description = "Noise schedule shift" };
    public Option<string?> Model { get; } = CommonOptions.Model();
    public Option<string> Device { get; } = CommonOptions.Device();
    public Option<string?> Policy { get; } = PolicyCommand.PolicyOption();
    public Option<bool> VisibleMark { get; } = new("--visible-mark")
    {
        Description = "Also stamp a visible \"AI-GENERATED\" label (the invisible watermark and Content Credentials are always added)",
    };

    public GenerationOptions(string defaultOutput)
    {
        Output = new Option<string>("--output", "-o") { Description = "Output file", DefaultValueFactory = _ => defaultOutput };
    }

    /// <summary>Adds the options; an image has neither a duration nor a frame rate.</summary>
    public void AddTo(Command command, bool includeSeconds = true, bool includeFps = true)
    {
        command.Options.Add(Output);
        if (includeSeconds) command.Options.Add(Seconds);
        if (includeFps) command.Options.Add(Fps);
        foreach (var option in new Option[] { Size, Steps, Guidance, GuidanceMinSigma, Seed, Negative, Sampler, Eta, Shift, Model, Device, Policy, VisibleMark }) command.Options.Add(option);
    }

    /// <summary>
    /// The request the options describe. Character names in <paramref name="prompt"/> are replaced by their
    /// descriptions (<see cref="CharacterCommand.ExpandPrompt"/>) unless the caller has already expanded it.
    /// </summary>
    public VideoRequest Request(ParseResult parse, string prompt, bool expandCharacters = true)
    {
        if (expandCharacters) prompt = CharacterCommand.ExpandPrompt(prompt);
        (int W, int H)? wh = parse.GetValue(Size) is string s ? CommonOptions.ParseSize(s) : null;
        return new VideoRequest
        {
            Prompt = prompt,
            NegativePrompt = parse.GetValue(Negative),
            Seconds = parse.GetValue(Seconds),
            Fps = parse.GetValue(Fps),
            Width = wh?.W,
            Height = wh?.H,
            Steps = parse.GetValue(Steps),
            Guidance = parse.GetValue(Guidance),
            GuidanceMinSigma = parse.GetValue(GuidanceMinSigma),
            Seed = parse.GetValue(Seed),
            Sampler = parse.GetValue(Sampler) is string name ? SamplerNames.Parse(name) : null,
            Eta = parse.GetValue(Eta),
            Shift = parse.GetValue(Shift),
        };
    }

    /// <summary>The model folder: --model, else $KINEMA_MODEL, else the default (see <see cref="ModelLocator"/>).</summary>
    public string ModelFolder(ParseResult parse) => ModelLocator.Resolve(parse.GetValue(Model));

    public KinemaModel LoadModel(ParseResult parse, CancellationToken cancellation)
        => KinemaModel.Load(ModelFolder(parse), new ModelLoadOptions { Device = parse.GetValue(Device)! }, cancellation: cancellation);

    /// <summary>Tells the user which prompt words the model never saw (it still generates).</summary>
    public static void NoteUnknownWords(KinemaModel model, IEnumerable<string> prompts)
    {
        var unknown = prompts.SelectMany(model.Tokenizer.UnknownWords).Distinct().ToList();
        if (unknown.Count > 0)
            Console.Error.WriteLine($"note: model '{model.Name}' never saw these words, so they will have little effect: {string.Join(", ", unknown)}");
    }

    public static Task<VideoResult> RunWithProgress(int totalSteps, Func<IProgress<GenerationProgress>, VideoResult> generation, CancellationToken cancellation)
        => ProgressReporter.ForStandardError().RunAsync(totalSteps, progress => GenerationThread.Run(() => generation(progress), cancellation));

    /// <summary>
    /// Checks every prompt of a command against the operator's content policy before any model is loaded;
    /// returns the exit code to stop with (3, naming the category) or null to go on.
    /// </summary>
    public int? CheckPolicy(ParseResult parse, string command, params (string Field, string? Text)[] fields)
        => PolicyGate.Check(parse.GetValue(Policy), $"cli:{command}", fields);

    /// <summary>Writes a video with provenance: invisible watermark, then MP4 (or GIF), then signed Content Credentials.</summary>
    public int WriteVideo(ParseResult parse, string path, VideoResult result)
    {
        var written = ProvenancePublisher.WriteVideo(path, result.Frames, result.Fps, Provenance(result.Metadata),
            new ProvenanceOptions { VisibleMark = parse.GetValue(VisibleMark), Comment = MetadataComment(result.Metadata) });
        return Report(written);
    }

    /// <summary>Writes a PNG with the watermark and signed Content Credentials.</summary>
    public int WriteImage(ParseResult parse, string path, RgbFrame image, GenerationMetadata metadata)
    {
        var written = ProvenancePublisher.WriteImage(path, image, Provenance(metadata), new ProvenanceOptions { VisibleMark = parse.GetValue(VisibleMark) });
        return Report(written);
    }

    private static ProvenanceInfo Provenance(GenerationMetadata metadata) => new()
    {
        // Derived from the request, so the same seed and settings give the same file, watermark included.
        VideoId = ProvenanceInfo.IdFor(JsonSerializer.Serialize(metadata with { ElapsedSeconds = 0 })),
        Model = metadata.Model,
        Prompt = metadata.Prompt,
        NegativePrompt = metadata.NegativePrompt,
    };

    private static string MetadataComment(GenerationMetadata metadata) => JsonSerializer.Serialize(metadata, IO.Json.Options).ReplaceLineEndings(" ");

    private static int Report(PublishedOutput written)
    {
        if (written.Notice is not null) Console.Error.WriteLine($"notice: {written.Notice}");
        Console.Error.WriteLine($"provenance: id {written.VideoId}, watermark payload {written.WatermarkPayload}{(written.ContentCredentials ? ", Content Credentials signed" : "")}");
        Console.WriteLine(written.Path);
        return ExitCodes.Success;
    }

    public static void CheckVideoOutput(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".mp4" or ".gif")) throw new ArgumentException($"output '{path}' must end in .mp4 or .gif");
        CheckOutputFolder(path);
    }

    public static void CheckImageOutput(string path)
    {
        if (!Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"output '{path}' must end in .png");
        CheckOutputFolder(path);
    }

    /// <summary>Refuses a missing output folder before the model loads, so no generation is thrown away at the end.</summary>
    private static void CheckOutputFolder(string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"output folder '{folder}' does not exist (for {path})");
    }

    /// <summary>Reads a video or image input, with a clear error naming a missing file.</summary>
    public static VideoClip ReadVideo(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input video not found: {path}", path);
        return VideoFile.Read(path);
    }

    public static RgbFrame ReadImage(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input image not found: {path}", path);
        return ImageFile.Read(path);
    }
}
