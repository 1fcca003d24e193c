using System.Text;

namespace Kinema.Media.Gif;

/// <summary>
/// Writes a looping GIF89a with one global palette. After the first frame, each frame stores only the
/// bounding box of pixels whose palette index changed (disposal "leave in place"), which keeps mostly
/// static renders small while every frame still appears in the file (frame count is preserved).
/// </summary>
internal sealed class GifEncoder
{
    private readonly Stream _output;
    private readonly int _width;
    private readonly int _height;
    private readonly int _minCodeSize;
    private byte[]? _previous;

    public GifEncoder(Stream output, int width, int height, int[] palette, string? comment)
    {
        if (palette.Length is < 1 or > 256) throw new ArgumentException($"a GIF palette holds 1..256 colours, got {palette.Length}", nameof(palette));
        _output = output;
        _width = width;
        _height = height;
        int tableBits = 1;
        while (1 << tableBits < palette.Length) tableBits++;
        _minCodeSize = Math.Max(2, tableBits);

        _output.Write("GIF89a"u8);
        WriteUInt16(width);
        WriteUInt16(height);
        _output.WriteByte((byte)(0x80 | 0x70 | (tableBits - 1))); // global table, 8-bit colour resolution, table size
        _output.WriteByte(0); // background colour index
        _output.WriteByte(0); // no pixel aspect ratio
        for (int i = 0; i < 1 << tableBits; i++)
        {
            int color = i < palette.Length ? palette[i] : 0;
            _output.WriteByte((byte)(color >> 16));
            _output.WriteByte((byte)(color >> 8));
            _output.WriteByte((byte)color);
        }

        // NETSCAPE2.0 application extension: loop forever.
        _output.Write([0x21, 0xFF, 0x0B]);
        _output.Write("NETSCAPE2.0"u8);
        _output.Write([0x03, 0x01, 0x00, 0x00, 0x00]);

        if (!string.IsNullOrEmpty(comment)) WriteComment(comment);
    }

    /// <summary>Delay of frame <paramref name="index"/> in 1/100 s, alternating so the average rate matches <paramref name="fps"/>.</summary>
    public static int DelayCentiseconds(int index, double fps)
    {
        long end = (long)Math.Round(100.0 * (index + 1) / fps);
        long start = (long)Math.Round(100.0 * index / fps);
        // Browsers replace delays below 2 cs by 10 cs, which would slow the video five-fold.
        return (int)Math.Clamp(end - start, 2, ushort.MaxValue);
    }

    public void WriteFrame(byte[] indices, int delayCentiseconds)
    {
        var (left, top, right, bottom) = ChangedRegion(indices);
        int w = right - left + 1, h = bottom - top + 1;

        _output.Write([0x21, 0xF9, 0x04, 0x04]); // graphic control: disposal 1 (leave in place), no transparency
        WriteUInt16(delayCentiseconds);
        _output.Write([0x00, 0x00]);

        _output.WriteByte(0x2C);
        WriteUInt16(left);
        WriteUInt16(top);
        WriteUInt16(w);
        WriteUInt16(h);
        _output.WriteByte(0); // no local table, not interlaced

        byte[] region = w == _width && h == _height ? indices : Crop(indices, left, top, w, h);
        LzwEncoder.Encode(_output, region, _minCodeSize);
        _previous = indices;
    }

    public void Finish() => _output.WriteByte(0x3B);

    private (int Left, int Top, int Right, int Bottom) ChangedRegion(byte[] indices)
    {
        if (_previous is null) return (0, 0, _width - 1, _height - 1);
        int left = _width, top = _height, right = -1, bottom = -1;
        for (int y = 0; y < _height; y++)
        {
            int row = y * _width;
            for (int x = 0; x < _width; x++)
            {
                if (indices[row + x] == _previous[row + x]) continue;
                if (x < left) left = x;
                if (x > right) right = x;
                if (y < top) top = y;
                bottom = y;
            }
        }
        // An unchanged frame still has to exist (frame count is part of the contract): one pixel, redrawn as is.
        return right < 0 ? (0, 0, 0, 0) : (left, top, right, bottom);
    }

    private byte[] Crop(byte[] indices, int left, int top, int w, int h)
    {
        var region = new byte[w * h];
        for (int y = 0; y < h; y++) Array.Copy(indices, (top + y) * _width + left, region, y * w, w);
        return region;
    }

    private void WriteComment(string comment)
    {
        byte[] text = Encoding.UTF8.GetBytes(comment);
        _output.Write([0x21, 0xFE]);
        for (int i = 0; i < text.Length; i += 255)
        {
            int n = Math.Min(255, text.Length - i);
            _output.WriteByte((byte)n);
            _output.Write(text, i, n);
        }
        _output.WriteByte(0);
    }

    private void WriteUInt16(int value)
    {
        _output.WriteByte((byte)value);
        _output.WriteByte((byte)(value >> 8));
    }
}
