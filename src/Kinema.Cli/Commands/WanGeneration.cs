using System.CommandLine;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Wan.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema generate --model WAN_FOLDER "prompt"</c> (and <c>kinema animate IMAGE "prompt" --model TI2V_FOLDER</c>): the Wan pipeline behind the same options, progress display and
/// output handling (watermark, MP4, Content Credentials) as the built-in model.
/// </summary>
public static class WanGeneration
{
    /// <param name="firstFrame">
    /// <c>kinema animate</c> on a Wan 2.2 TI2V folder: the image the video starts on, resized to the video's size as
    /// diffusers' image-to-video pipeline resizes it (no crop).
    /// </param>
    public static async Task<int> RunAsync(ParseResult parse, GenerationOptions options, string folder, VideoRequest request, string output,
        CancellationToken cancellation, RgbFrame? firstFrame = null)
    {
        var model = WanModel.Open(folder, new WanLoadOptions { Device = parse.GetValue(options.Device)! });
        if (firstFrame is not null && !model.ExpandTimesteps)
            throw new ArgumentException($"{folder} is a text-to-video Wan folder; animating an image needs a Wan 2.2 TI2V folder (model_index.json with expand_timesteps)");
        var r = WanRequestValidator.Resolve(request, model);
        if (firstFrame is not null) firstFrame = ConditioningFrames.Resize([firstFrame], r.Width, r.Height)[0];
        Console.Error.WriteLine($"{model.Name} (Wan, {model.ComputeType} on {model.Device.type.ToString().ToLowerInvariant()}, text encoder {model.TextEncoderType}): {r.Width}x{r.Height}, "
            + $"{r.Frames} frames at {r.Fps} fps, {r.Steps} steps (unipc, shift {r.Shift}), guidance {r.Guidance}, seed {r.Seed}{(firstFrame is null ? "" : ", from an image")}");
        var result = await GenerationOptions.RunWithProgress(r.Steps, p => new WanPipeline(model).Generate(request, p, cancellation, firstFrame), cancellation);
        return options.WriteVideo(parse, output, result);
    }
}
