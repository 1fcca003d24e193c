namespace Kinema.Media;

// Stand-in with the agreed shape until the media branch lands; the merge replaces it.
public sealed class RgbFrame
{
    public RgbFrame(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != width * height * 3)
            throw new ArgumentException($"a {width}x{height} RGB24 frame needs {width * height * 3} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }
}
