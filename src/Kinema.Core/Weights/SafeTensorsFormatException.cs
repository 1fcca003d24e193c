namespace Kinema.Weights;

/// <summary>
/// A safetensors file or index is malformed. The message names the file, the tensor key when one is
/// involved, and what is wrong (e.g. "tensor 'x' needs 8192 bytes but data_offsets span 4096").
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> should name the file and key.</summary>
    public SafeTensorsFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public SafeTensorsFormatException(string message, Exception? inner) : base(message, inner)
    {
    }
}
