namespace Kinema.Media;

/// <summary>
/// One picture as packed 8-bit RGB (RGB24), row-major, top row first: the byte for channel c of
/// pixel (x, y) is at <c>(y * Width + x) * 3 + c</c>. The frame wraps the array it is given (no copy),
/// so a renderer can fill <see cref="Pixels"/> in place.
/// </summary>
public sealed class RgbFrame
{
    /// <summary>Wraps <paramref name="pixels"/>, which must hold exactly <c>width * height * 3</c> bytes.</summary>
    public RgbFrame(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long expected = CheckedByteLength(width, height);
        if (pixels.LongLength != expected)
            throw new ArgumentException(
                $"pixels has {pixels.LongLength} bytes but a {width}x{height} RGB24 frame needs width*height*3 = {expected}",
                nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>A black frame of the given size.</summary>
    public RgbFrame(int width, int height)
        : this(width, height, new byte[CheckedByteLength(width, height)])
    {
    }

    /// <summary>Width in pixels (at least 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (at least 1).</summary>
    public int Height { get; }

    /// <summary>Packed RGB24 bytes, length <c>Width * Height * 3</c>.</summary>
    public byte[] Pixels { get; }

    /// <summary>The colour at (x, y); (0, 0) is the top-left pixel.</summary>
    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        int i = Offset(x, y);
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    /// <summary>Sets the colour at (x, y); (0, 0) is the top-left pixel.</summary>
    public void SetPixel(int x, int y, byte r, byte g, byte b)
    {
        int i = Offset(x, y);
        Pixels[i] = r;
        Pixels[i + 1] = g;
        Pixels[i + 2] = b;
    }

    /// <summary>Mean absolute difference (0-255) over every byte of two frames of the same size: how much a video changes between them.</summary>
    public double MeanAbsoluteDifference(RgbFrame other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Width != Width || other.Height != Height)
            throw new ArgumentException($"cannot compare a {Width}x{Height} frame with a {other.Width}x{other.Height} one", nameof(other));
        long sum = 0;
        for (int i = 0; i < Pixels.Length; i++) sum += Math.Abs(Pixels[i] - other.Pixels[i]);
        return (double)sum / Pixels.Length;
    }

    /// <summary>An independent copy (the pixel array is duplicated).</summary>
    public RgbFrame Clone() => new(Width, Height, (byte[])Pixels.Clone());

    private int Offset(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(
                x < 0 || x >= Width ? nameof(x) : nameof(y),
                $"pixel ({x}, {y}) is outside the {Width}x{Height} frame; allowed x in [0, {Width - 1}], y in [0, {Height - 1}]");
        return (y * Width + x) * 3;
    }

    private static long CheckedByteLength(int width, int height)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1 pixel");
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 1 pixel");
        long bytes = (long)width * height * 3;
        if (bytes > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"a {width}x{height} RGB24 frame ({bytes} bytes) exceeds the largest possible array");
        return bytes;
    }
}
