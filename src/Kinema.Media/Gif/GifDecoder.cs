using System.Text;

namespace Kinema.Media.Gif;

/// <summary>A decoded GIF: composited full frames, their delays (1/100 s) and the first comment, if any.</summary>
internal sealed record GifImage(int Width, int Height, IReadOnlyList<RgbFrame> Frames, IReadOnlyList<int> DelaysCentiseconds, string? Comment)
{
    /// <summary>
    /// Average rate over the decoded frames. A GIF with no delays at all is shown by browsers at about
    /// 10 fps, so that is what it reports.
    /// </summary>
    public double Fps
    {
        get
        {
            long total = DelaysCentiseconds.Sum(d => (long)d);
            return total == 0 || Frames.Count == 0 ? 10.0 : Frames.Count * 100.0 / total;
        }
    }
}

/// <summary>
/// A GIF87a/89a decoder: global and local palettes, interlacing, transparency and the disposal methods,
/// composited onto an RGB canvas that starts as the background colour.
/// </summary>
internal static class GifDecoder
{
    private const long MaxFrameBytes = 1L << 30;

    public static bool HasSignature(ReadOnlySpan<byte> head) =>
        head.Length >= 6 && (head[..6].SequenceEqual("GIF89a"u8) || head[..6].SequenceEqual("GIF87a"u8));

    /// <summary>Decodes up to <paramref name="maxFrames"/> frames; <see cref="InvalidDataException"/> when the data is not a valid GIF.</summary>
    public static GifImage Decode(byte[] data, int? maxFrames)
    {
        var reader = new Reader(data);
        if (!HasSignature(data)) throw new InvalidDataException("it does not start with GIF87a or GIF89a");
        reader.Skip(6);
        int width = reader.UInt16(), height = reader.UInt16();
        if (width == 0 || height == 0) throw new InvalidDataException($"the logical screen is {width}x{height}");
        // Sizes come from the file; a corrupt one must not turn into a multi-gigabyte allocation per frame.
        if ((long)width * height * 3 > MaxFrameBytes) throw new InvalidDataException($"the logical screen {width}x{height} is too large to decode");
        byte flags = reader.Byte();
        int background = reader.Byte();
        reader.Byte();
        int[]? globalPalette = (flags & 0x80) != 0 ? reader.Palette(2 << (flags & 7)) : null;

        var canvas = new byte[width * height * 3];
        int backgroundColor = globalPalette is not null && background < globalPalette.Length ? globalPalette[background] : 0;
        Fill(canvas, width, 0, 0, width, height, backgroundColor);

        var frames = new List<RgbFrame>();
        var delays = new List<int>();
        string? comment = null;
        int delay = 0, disposal = 0, transparent = -1;

        while (maxFrames is null || frames.Count < maxFrames)
        {
            byte block = reader.Byte();
            if (block == 0x3B) break;
            if (block == 0x21)
            {
                byte label = reader.Byte();
                byte[] body = reader.SubBlocks();
                if (label == 0xF9 && body.Length >= 4)
                {
                    disposal = (body[0] >> 2) & 7;
                    delay = body[1] | (body[2] << 8);
                    transparent = (body[0] & 1) != 0 ? body[3] : -1;
                }
                else if (label == 0xFE && comment is null)
                {
                    comment = Encoding.UTF8.GetString(body);
                }
                continue;
            }
            if (block != 0x2C) throw new InvalidDataException($"unexpected block 0x{block:X2} at byte {reader.Position - 1}");

            int left = reader.UInt16(), top = reader.UInt16(), w = reader.UInt16(), h = reader.UInt16();
            byte imageFlags = reader.Byte();
            if ((long)w * h > MaxFrameBytes) throw new InvalidDataException($"frame {frames.Count} is {w}x{h}, too large to decode");
            int[]? palette = (imageFlags & 0x80) != 0 ? reader.Palette(2 << (imageFlags & 7)) : globalPalette;
            if (palette is null) throw new InvalidDataException($"frame {frames.Count} has no colour table");
            int minCodeSize = reader.Byte();
            byte[] compressed = reader.SubBlocks();
            var indices = new byte[w * h];
            // Short data is tolerated (as browsers do): missing pixels keep index 0.
            LzwDecoder.Decode(compressed, minCodeSize, indices);
            if ((imageFlags & 0x40) != 0) indices = Deinterlace(indices, w, h);

            byte[]? restore = disposal == 3 ? (byte[])canvas.Clone() : null;
            Draw(canvas, width, height, indices, left, top, w, h, palette, transparent);
            frames.Add(new RgbFrame(width, height, (byte[])canvas.Clone()));
            delays.Add(delay);

            if (disposal == 2) Fill(canvas, width, left, top, Math.Min(w, width - left), Math.Min(h, height - top), backgroundColor);
            else if (restore is not null) canvas = restore;
            delay = 0;
            disposal = 0;
            transparent = -1;
        }
        if (frames.Count == 0) throw new InvalidDataException("it contains no frames");
        return new GifImage(width, height, frames, delays, comment);
    }

    private static void Draw(byte[] canvas, int width, int height, byte[] indices, int left, int top, int w, int h, int[] palette, int transparent)
    {
        for (int y = 0; y < h; y++)
        {
            int cy = top + y;
            if (cy >= height) break;
            for (int x = 0; x < w; x++)
            {
                int cx = left + x;
                if (cx >= width) break;
                int index = indices[y * w + x];
                if (index == transparent) continue;
                int color = index < palette.Length ? palette[index] : 0;
                int o = (cy * width + cx) * 3;
                canvas[o] = (byte)(color >> 16);
                canvas[o + 1] = (byte)(color >> 8);
                canvas[o + 2] = (byte)color;
            }
        }
    }

    private static void Fill(byte[] canvas, int width, int left, int top, int w, int h, int color)
    {
        for (int y = top; y < top + h; y++)
        {
            for (int x = left; x < left + w; x++)
            {
                int o = (y * width + x) * 3;
                canvas[o] = (byte)(color >> 16);
                canvas[o + 1] = (byte)(color >> 8);
                canvas[o + 2] = (byte)color;
            }
        }
    }

    private static byte[] Deinterlace(byte[] indices, int w, int h)
    {
        var rows = new byte[indices.Length];
        int source = 0;
        foreach (var (start, step) in new[] { (0, 8), (4, 8), (2, 4), (1, 2) })
        {
            for (int y = start; y < h; y += step, source++)
                Array.Copy(indices, source * w, rows, y * w, w);
        }
        return rows;
    }

    private sealed class Reader(byte[] data)
    {
        public int Position { get; private set; }

        public byte Byte()
        {
            if (Position >= data.Length) throw new InvalidDataException($"it ends early, at byte {data.Length} (truncated?)");
            return data[Position++];
        }

        public int UInt16() => Byte() | (Byte() << 8);

        public void Skip(int count)
        {
            if (Position + count > data.Length) throw new InvalidDataException($"it ends early, at byte {data.Length} (truncated?)");
            Position += count;
        }

        public int[] Palette(int entries)
        {
            var palette = new int[entries];
            for (int i = 0; i < entries; i++) palette[i] = (Byte() << 16) | (Byte() << 8) | Byte();
            return palette;
        }

        public byte[] SubBlocks()
        {
            using var joined = new MemoryStream();
            while (true)
            {
                int length = Byte();
                if (length == 0) return joined.ToArray();
                Skip(length);
                joined.Write(data, Position - length, length);
            }
        }
    }
}
