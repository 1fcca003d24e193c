using Kinema.Media;

namespace Kinema.Server.Tests.Support;

public static class TestImages
{
    /// <summary>A colour gradient PNG (written by Kinema.Media's own encoder).</summary>
    public static void WritePng(string path, int width, int height)
    {
        var frame = new RgbFrame(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                frame.SetPixel(x, y, (byte)(255 * x / width), (byte)(255 * y / height), 128);
        ImageFile.WritePng(path, frame);
    }

    /// <summary>Writes the <see cref="WritePng"/> gradient to <paramref name="path"/> and returns it as a data URL, as an API image field takes it.</summary>
    public static string WritePngDataUrl(string path, int width, int height)
    {
        WritePng(path, width, height);
        return "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(path));
    }
}
