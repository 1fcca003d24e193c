using System.CommandLine;
using Kinema.Pipelines;
using Kinema.Wan.Pipelines;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema generate --model WAN_FOLDER "prompt"</c>: the Wan pipeline behind the same options, progress display and
/// output handling (watermark, MP4, Content Credentials) as the built-in model.
/// </summary>
public static class WanGeneration
{
    public static async Task<int> RunAsync(ParseResult parse, GenerationOptions options, string folder, VideoRequest request, string output,
        CancellationToken cancellation)
    {
        var model = WanModel.Open(folder, new WanLoadOptions { Device = parse.GetValue(options.Device)! });
        var r = WanRequestValidator.Resolve(request, model);
        Console.Error.WriteLine($"{model.Name} (Wan, {model.ComputeType} on {model.Device.type.ToString().ToLowerInvariant()}, text encoder {model.TextEncoderType}): {r.Width}x{r.Height}, "
            + $"{r.Frames} frames at {r.Fps} fps, {r.Steps} steps (unipc, shift {r.Shift}), guidance {r.Guidance}, seed {r.Seed}");
        var result = await GenerationOptions.RunWithProgress(r.Steps, p => new WanPipeline(model).Generate(request, p, cancellation), cancellation);
        return options.WriteVideo(parse, output, result);
    }
}
