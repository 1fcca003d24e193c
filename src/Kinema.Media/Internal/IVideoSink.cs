namespace Kinema.Media.Internal;

/// <summary>An encoder that writes one video into a temporary file; the <see cref="VideoWriter"/> owns the rename.</summary>
internal interface IVideoSink : IDisposable
{
    /// <summary>Encodes one frame (already checked for size).</summary>
    void Write(RgbFrame frame);

    /// <summary>Flushes everything into the temporary file; throws <see cref="MediaException"/> if encoding failed.</summary>
    void Finish();
}
