using System.Buffers.Binary;
using System.Text;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// PNG keeps the manifest store in a <c>caBX</c> chunk. It goes right after IHDR, before the image
/// data, so a reader finds it without decoding anything.
/// </summary>
internal sealed class PngContainer : IManifestContainer
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private const string ChunkType = "caBX";

    public string MimeType => "image/png";

    public int Overhead => 12;

    public static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    public byte[] RemoveExisting(byte[] asset)
    {
        using var output = new MemoryStream(asset.Length);
        output.Write(Signature);
        foreach (var chunk in Chunks(asset))
            if (chunk.Type != ChunkType) output.Write(asset, chunk.Start, chunk.TotalLength);
        return output.ToArray();
    }

    public int InsertionOffset(byte[] asset)
    {
        var first = Chunks(asset).FirstOrDefault();
        if (first.Type != "IHDR") throw new InvalidDataException("a PNG must start with an IHDR chunk");
        return first.Start + first.TotalLength;
    }

    public byte[] Insert(byte[] asset, int offset, byte[] store)
    {
        var chunk = new byte[12 + store.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)store.Length);
        Encoding.ASCII.GetBytes(ChunkType, chunk.AsSpan(4));
        store.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + store.Length), Crc32.Compute(chunk.AsSpan(4, 4 + store.Length)));
        return [.. asset.AsSpan(0, offset), .. chunk, .. asset.AsSpan(offset)];
    }

    public EmbeddedStore? Find(byte[] asset)
    {
        EmbeddedStore? found = null;
        foreach (var chunk in Chunks(asset))
        {
            if (chunk.Type != ChunkType) continue;
            if (found is not null) throw new InvalidDataException("the PNG has more than one caBX (C2PA) chunk");
            found = new EmbeddedStore(asset.AsMemory(chunk.Start + 8, chunk.DataLength), chunk.Start, chunk.TotalLength);
        }
        return found;
    }

    private readonly record struct Chunk(string Type, int Start, int DataLength)
    {
        public int TotalLength => 12 + DataLength;
    }

    private static IEnumerable<Chunk> Chunks(byte[] png)
    {
        if (!HasSignature(png)) throw new InvalidDataException("not a PNG file (bad signature)");
        int at = Signature.Length;
        while (at < png.Length)
        {
            if (png.Length - at < 12) throw new InvalidDataException("truncated PNG chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length > int.MaxValue || at + 12L + length > png.Length) throw new InvalidDataException("a PNG chunk runs past the end of the file");
            var chunk = new Chunk(Encoding.ASCII.GetString(png, at + 4, 4), at, (int)length);
            yield return chunk;
            at += chunk.TotalLength;
            if (chunk.Type == "IEND") yield break;
        }
    }
}

/// <summary>CRC-32 (ISO-HDLC), as PNG chunks use.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
