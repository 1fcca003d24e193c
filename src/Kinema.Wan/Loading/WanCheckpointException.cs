namespace Kinema.Wan.Loading;

/// <summary>
/// A Wan diffusers folder cannot be used: a file or folder is missing, a config is invalid, or a checkpoint does
/// not fit the model. The message names the component ("transformer", "scheduler", …) and the file; the
/// underlying error (e.g. <see cref="Kinema.Weights.WeightMismatchException"/> with its key lists, or
/// <see cref="Kinema.Weights.SafeTensorsFormatException"/>) is the inner exception.
/// </summary>
public sealed class WanCheckpointException : Exception
{
    public WanCheckpointException(string component, string path, string message, Exception? inner = null)
        : base($"component '{component}' ({path}): {message}", inner)
    {
        Component = component;
        Path = path;
    }

    /// <summary>The pipeline component the error is about, or "model_index" for the folder itself.</summary>
    public string Component { get; }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
