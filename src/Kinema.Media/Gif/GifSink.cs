using Kinema.Media.Internal;

namespace Kinema.Media.Gif;

/// <summary>
/// Streams frames to a spill file of raw RGB beside the target (memory stays bounded for long videos)
/// while sampling colours; on <see cref="Finish"/> builds one palette for the whole video and encodes
/// the GIF from the spill. The spill file is always deleted.
/// </summary>
internal sealed class GifSink : IVideoSink
{
    private readonly string _tempPath;
    private readonly int _width;
    private readonly int _height;
    private readonly VideoWriteOptions _options;
    private readonly AtomicFile _spillFile;
    private readonly FileStream _spill;
    private readonly ColorSampler _sampler = new();
    private int _frames;

    public GifSink(string tempPath, string targetPath, int width, int height, VideoWriteOptions options)
    {
        _tempPath = tempPath;
        _width = width;
        _height = height;
        _options = options;
        _spillFile = new AtomicFile(targetPath + ".frames");
        _spill = new FileStream(_spillFile.TempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    public void Write(RgbFrame frame)
    {
        _sampler.Add(frame.Pixels);
        _spill.Write(frame.Pixels);
        _frames++;
    }

    public void Finish()
    {
        var exact = _sampler.ExactColors;
        int[] palette = exact is not null ? [.. exact.Order()] : MedianCutPalette.Build(_sampler.Samples, 256);
        if (palette.Length == 0) palette = [0];
        var mapper = new PaletteMapper(palette, dither: exact is null && _options.GifDithering);

        _spill.Flush();
        _spill.Position = 0;
        var rgb = new byte[_width * _height * 3];
        using var output = new FileStream(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var encoder = new GifEncoder(output, _width, _height, palette, _options.Comment);
        for (int i = 0; i < _frames; i++)
        {
            _spill.ReadExactly(rgb);
            // The encoder keeps the previous frame's indices, so each frame needs its own array.
            var indices = new byte[_width * _height];
            mapper.Map(rgb, _width, indices);
            encoder.WriteFrame(indices, GifEncoder.DelayCentiseconds(i, _options.Fps));
        }
        encoder.Finish();
    }

    public void Dispose()
    {
        _spill.Dispose();
        _spillFile.Dispose();
    }
}
