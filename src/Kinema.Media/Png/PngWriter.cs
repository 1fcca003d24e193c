using System.Buffers.Binary;
using System.IO.Compression;

namespace Kinema.Media.Png;

/// <summary>
/// Writes 8-bit RGB, non-interlaced PNG. Each row uses whichever filter gives the smallest sum of
/// absolute (signed) residuals, the usual heuristic from the PNG specification.
/// </summary>
internal static class PngWriter
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void Write(Stream output, RgbFrame frame)
    {
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, frame.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), frame.Height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        WriteChunk(output, "IHDR"u8, header);
        WriteChunk(output, "IDAT"u8, Compress(frame));
        WriteChunk(output, "IEND"u8, []);
    }

    private static byte[] Compress(RgbFrame frame)
    {
        int stride = frame.Width * 3;
        var previous = new byte[stride];
        var candidate = new byte[stride];
        var best = new byte[stride];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < frame.Height; y++)
            {
                ReadOnlySpan<byte> row = frame.Pixels.AsSpan(y * stride, stride);
                int bestFilter = 0;
                long bestScore = long.MaxValue;
                for (int filter = 0; filter <= 4; filter++)
                {
                    PngFilters.Filter(filter, row, previous, 3, candidate);
                    long score = 0;
                    foreach (sbyte residual in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(candidate)) score += residual < 0 ? -residual : residual;
                    if (score >= bestScore) continue;
                    bestScore = score;
                    bestFilter = filter;
                    candidate.CopyTo(best, 0);
                }
                zlib.WriteByte((byte)bestFilter);
                zlib.Write(best);
                row.CopyTo(previous);
            }
        }
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32.Compute(type, data));
        output.Write(number);
    }
}
