using System.Buffers.Binary;
using System.Text;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// ISO BMFF (MP4) keeps the manifest store in a top-level <c>uuid</c> box with the C2PA user type,
/// placed right after <c>ftyp</c>: a full box (version 0, flags 0), the purpose "manifest", a 64-bit
/// Merkle offset (0: no fragmented-MP4 Merkle tree) and the JUMBF store. Inserting it shifts every
/// byte after <c>ftyp</c>, so the absolute sample offsets in every <c>stco</c>/<c>co64</c> table are
/// rewritten to match; otherwise players would read the wrong bytes.
/// </summary>
internal sealed class Mp4Container : IManifestContainer
{
    private const string Purpose = "manifest";
    private static readonly HashSet<string> Containers = ["moov", "trak", "mdia", "minf", "stbl", "edts", "dinf", "mvex", "moof", "traf"];

    public string MimeType => "video/mp4";

    // size + type + user type + version/flags + "manifest\0" + Merkle offset
    public int Overhead => 8 + 16 + 4 + Purpose.Length + 1 + 8;

    public static bool LooksLikeMp4(ReadOnlySpan<byte> data) => data.Length >= 12 && data.Slice(4, 4).SequenceEqual("ftyp"u8);

    public byte[] RemoveExisting(byte[] asset)
    {
        var removed = TopLevel(asset).Where(b => IsC2paBox(asset, b)).ToList();
        if (removed.Count == 0) return asset;
        using var output = new MemoryStream(asset.Length);
        long at = 0;
        foreach (var box in removed)
        {
            output.Write(asset, (int)at, (int)(box.Start - at));
            at = box.Start + box.Size;
        }
        output.Write(asset, (int)at, (int)(asset.Length - at));
        byte[] result = output.ToArray();
        PatchChunkOffsets(result, offset => offset - removed.Where(b => b.Start < offset).Sum(b => b.Size));
        return result;
    }

    public int InsertionOffset(byte[] asset)
    {
        var first = TopLevel(asset).FirstOrDefault();
        if (first.Type != "ftyp") throw new InvalidDataException("an MP4 must start with an ftyp box");
        return (int)(first.Start + first.Size);
    }

    public byte[] Insert(byte[] asset, int offset, byte[] store)
    {
        var box = new byte[Overhead + store.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        "uuid"u8.CopyTo(box.AsSpan(4));
        C2paIds.BmffUserType.CopyTo(box, 8);
        // bytes 24..27: version 0, flags 0
        Encoding.ASCII.GetBytes(Purpose, box.AsSpan(28));
        // NUL terminator and the 8-byte Merkle offset stay zero.
        store.CopyTo(box, Overhead);
        byte[] result = [.. asset.AsSpan(0, offset), .. box, .. asset.AsSpan(offset)];
        PatchChunkOffsets(result, o => o >= offset ? o + box.Length : o);
        return result;
    }

    public EmbeddedStore? Find(byte[] asset)
    {
        EmbeddedStore? found = null;
        foreach (var box in TopLevel(asset))
        {
            if (!IsC2paBox(asset, box)) continue;
            int payload = (int)box.Start + box.Header + 16 + 4;
            int end = (int)(box.Start + box.Size);
            int nul = Array.IndexOf(asset, (byte)0, payload, end - payload);
            if (nul < 0) throw new InvalidDataException("the C2PA uuid box has no purpose string");
            if (Encoding.ASCII.GetString(asset, payload, nul - payload) != Purpose) continue;
            int store = nul + 1 + 8;
            if (store > end) throw new InvalidDataException("the C2PA uuid box is truncated");
            if (found is not null) throw new InvalidDataException("the MP4 has more than one C2PA manifest box");
            found = new EmbeddedStore(asset.AsMemory(store, end - store), box.Start, box.Size);
        }
        return found;
    }

    private readonly record struct Box(string Type, long Start, long Size, int Header);

    private static bool IsC2paBox(byte[] data, Box box) =>
        box.Type == "uuid" && box.Size >= box.Header + 16 + 4 && data.AsSpan((int)box.Start + box.Header, 16).SequenceEqual(C2paIds.BmffUserType);

    private static List<Box> TopLevel(byte[] data) => Children(data, 0, data.Length);

    private static List<Box> Children(byte[] data, long start, long end)
    {
        var boxes = new List<Box>();
        long at = start;
        while (at < end)
        {
            if (end - at < 8) throw new InvalidDataException("truncated MP4 box header");
            long size = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan((int)at));
            string type = Encoding.ASCII.GetString(data, (int)at + 4, 4);
            int header = 8;
            if (size == 1)
            {
                if (end - at < 16) throw new InvalidDataException("truncated MP4 large-size box header");
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan((int)at + 8));
                header = 16;
            }
            else if (size == 0) size = end - at;
            if (size < header || at + size > end) throw new InvalidDataException($"MP4 box '{type}' at {at} claims {size} bytes, beyond its container");
            boxes.Add(new Box(type, at, size, header));
            at += size;
        }
        return boxes;
    }

    /// <summary>Rewrites every chunk offset in <c>stco</c> and <c>co64</c> tables through <paramref name="map"/>.</summary>
    private static void PatchChunkOffsets(byte[] file, Func<long, long> map)
    {
        void Walk(long start, long end)
        {
            foreach (var box in Children(file, start, end))
            {
                long body = box.Start + box.Header;
                if (Containers.Contains(box.Type)) Walk(body, box.Start + box.Size);
                else if (box.Type is "stco" or "co64")
                {
                    uint count = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)body + 4));
                    int width = box.Type == "stco" ? 4 : 8;
                    if (8 + (long)count * width > box.Size - box.Header) throw new InvalidDataException($"the {box.Type} table is larger than its box");
                    for (int i = 0; i < count; i++)
                    {
                        var entry = file.AsSpan((int)(body + 8 + i * width), width);
                        if (width == 4)
                        {
                            long moved = map(BinaryPrimitives.ReadUInt32BigEndian(entry));
                            if (moved is < 0 or > uint.MaxValue) throw new InvalidDataException("a chunk offset no longer fits a 32-bit stco table");
                            BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)moved);
                        }
                        else BinaryPrimitives.WriteUInt64BigEndian(entry, (ulong)map((long)BinaryPrimitives.ReadUInt64BigEndian(entry)));
                    }
                }
            }
        }
        foreach (var box in TopLevel(file))
            if (box.Type is "moov" or "moof") Walk(box.Start + box.Header, box.Start + box.Size);
    }
}
