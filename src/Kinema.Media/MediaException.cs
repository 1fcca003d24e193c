namespace Kinema.Media;

/// <summary>
/// A media file could not be read or written: missing, corrupt, unsupported, or ffmpeg failed.
/// The message names the file and, for ffmpeg failures, ends with the tail of ffmpeg's log.
/// </summary>
public sealed class MediaException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> should name the file involved.</summary>
    public MediaException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public MediaException(string message, Exception? inner) : base(message, inner)
    {
    }
}
