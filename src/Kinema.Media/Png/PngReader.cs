using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Kinema.Media.Png;

/// <summary>
/// Reads non-interlaced 8-bit PNG: greyscale, greyscale+alpha, RGB, RGBA and palette images, all filter
/// types. Alpha is discarded (the colour channels are returned as stored). Chunk CRCs are verified.
/// Throws <see cref="InvalidDataException"/> describing the first problem found.
/// </summary>
internal static class PngReader
{
    public static bool HasSignature(ReadOnlySpan<byte> head) =>
        head.Length >= 8 && head[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

    public static RgbFrame Read(byte[] data)
    {
        if (!HasSignature(data)) throw new InvalidDataException("it does not start with the PNG signature");
        int position = 8;
        int width = 0, height = 0, colorType = -1;
        byte[]? palette = null;
        using var compressed = new MemoryStream();
        bool ended = false;
        while (!ended)
        {
            if (position + 12 > data.Length) throw new InvalidDataException($"it ends at byte {data.Length} before the IEND chunk (truncated?)");
            int length = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(position));
            string type = Encoding.ASCII.GetString(data, position + 4, 4);
            if (length < 0 || position + 12L + length > data.Length)
                throw new InvalidDataException($"chunk '{type}' at byte {position} claims {length} bytes but the file ends at byte {data.Length} (truncated?)");
            ReadOnlySpan<byte> body = data.AsSpan(position + 8, length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 8 + length));
            if (storedCrc != Crc32.Compute(data.AsSpan(position + 4, 4), body))
                throw new InvalidDataException($"chunk '{type}' at byte {position} has a bad CRC (corrupted data)");
            if (position == 8 && type != "IHDR") throw new InvalidDataException($"the first chunk is '{type}', not IHDR");
            switch (type)
            {
                case "IHDR":
                    (width, height, colorType) = ParseHeader(body);
                    break;
                case "PLTE":
                    palette = body.ToArray();
                    break;
                case "IDAT":
                    compressed.Write(body);
                    break;
                case "IEND":
                    ended = true;
                    break;
            }
            position += 12 + length;
        }
        if (compressed.Length == 0) throw new InvalidDataException("it has no image data (IDAT)");
        if (colorType == 3 && palette is null) throw new InvalidDataException("it is a palette image without a PLTE chunk");

        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int stride = width * channels;
        byte[] raw = Inflate(compressed, (long)height * (stride + 1));
        return ToRgb(raw, width, height, colorType, channels, palette);
    }

    private static (int Width, int Height, int ColorType) ParseHeader(ReadOnlySpan<byte> body)
    {
        if (body.Length != 13) throw new InvalidDataException($"IHDR is {body.Length} bytes, expected 13");
        int width = BinaryPrimitives.ReadInt32BigEndian(body);
        int height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
        int depth = body[8], colorType = body[9], interlace = body[12];
        if (width <= 0 || height <= 0) throw new InvalidDataException($"its size {width}x{height} is not positive");
        if ((long)width * height * 4 > Array.MaxLength) throw new InvalidDataException($"its size {width}x{height} is too large to decode");
        if (depth != 8) throw new InvalidDataException($"bit depth {depth} is not supported (allowed: 8)");
        if (colorType is not (0 or 2 or 3 or 4 or 6))
            throw new InvalidDataException($"colour type {colorType} is not valid (allowed: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA)");
        if (body[10] != 0 || body[11] != 0) throw new InvalidDataException("unknown compression or filter method");
        if (interlace != 0) throw new InvalidDataException("interlaced (Adam7) PNG is not supported");
        return (width, height, colorType);
    }

    private static byte[] Inflate(MemoryStream compressed, long expected)
    {
        var raw = new byte[expected];
        compressed.Position = 0;
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
        int read = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        if (read < raw.Length)
            throw new InvalidDataException($"the image data inflates to {read} bytes but {expected} are needed (truncated?)");
        return raw;
    }

    private static RgbFrame ToRgb(byte[] raw, int width, int height, int colorType, int channels, byte[]? palette)
    {
        int stride = width * channels;
        var previous = new byte[stride];
        var frame = new RgbFrame(width, height);
        byte[] rgb = frame.Pixels;
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1);
            var row = raw.AsSpan(rowStart + 1, stride);
            PngFilters.Unfilter(raw[rowStart], row, previous, channels);
            for (int x = 0, o = y * width * 3; x < width; x++, o += 3)
            {
                int s = x * channels;
                switch (colorType)
                {
                    case 0 or 4:
                        rgb[o] = rgb[o + 1] = rgb[o + 2] = row[s];
                        break;
                    case 3:
                        int entry = row[s] * 3;
                        if (entry + 2 >= palette!.Length) throw new InvalidDataException($"pixel ({x}, {y}) uses palette index {row[s]}, beyond the {palette.Length / 3}-entry PLTE");
                        rgb[o] = palette[entry];
                        rgb[o + 1] = palette[entry + 1];
                        rgb[o + 2] = palette[entry + 2];
                        break;
                    default:
                        rgb[o] = row[s];
                        rgb[o + 1] = row[s + 1];
                        rgb[o + 2] = row[s + 2];
                        break;
                }
            }
            row.CopyTo(previous);
        }
        return frame;
    }
}
