using Kinema.Pipelines;

namespace Kinema.Server.Jobs;

/// <summary>
/// The model this server generates with, known from its config.json before any worker has loaded the
/// weights, so requests are validated (and the discovery endpoint answers) from the first moment.
/// </summary>
public sealed class ServedModel
{
    /// <summary>OpenAI's model names: apps written for them work unmodified and get this model.</summary>
    public static readonly IReadOnlyList<string> OpenAiAliases =
        ["sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08"];

    /// <summary>OpenAI's image model names, accepted by <c>POST /v1/images/generations</c> for the same reason.</summary>
    public static readonly IReadOnlyList<string> OpenAiImageAliases = ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "dall-e-2", "dall-e-3"];

    public ServedModel(string folder)
    {
        Folder = Path.GetFullPath(folder);
        if (!Directory.Exists(Folder)) throw new DirectoryNotFoundException($"model folder not found: {Folder}");
        Config = ModelConfig.Load(Path.Combine(Folder, ModelConfig.FileName));
    }

    public string Folder { get; }

    public ModelConfig Config { get; }

    public string Name => Config.Name;

    /// <summary>Null (the default), this model's name, or one of OpenAI's names (<paramref name="aliases"/>, by default the video models'); anything else is refused.</summary>
    public void CheckRequested(string? requested, IReadOnlyList<string>? aliases = null)
    {
        aliases ??= OpenAiAliases;
        if (requested is null || requested == Name || aliases.Contains(requested)) return;
        throw Api.ApiException.BadRequest(
            $"model '{requested}' is not served here; use '{Name}' (or leave it out; {string.Join(", ", aliases)} are accepted as aliases). See GET /v1/models",
            "model", "model_not_found");
    }
}
