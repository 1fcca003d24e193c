using System.CommandLine;

namespace Kinema.Cli.Commands;

/// <summary>Options shared by every generating command, so they read the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string?> Model() => new("--model", "-m")
    {
        Description = "Model folder (default: $KINEMA_MODEL, else the built-in model named in models/DEFAULT)",
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>Parses "WxH" (e.g. 128x128, 256X144).</summary>
    public static (int Width, int Height) ParseSize(string text)
    {
        if (Pipelines.VideoSize.TryParse(text, out int w, out int h)) return (w, h);
        throw new ArgumentException($"--size must look like WIDTHxHEIGHT (e.g. 128x128), got '{text}'");
    }
}
