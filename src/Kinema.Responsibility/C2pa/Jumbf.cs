using System.Buffers.Binary;
using System.Text;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// Writes JUMBF (ISO/IEC 19566-5) boxes: a box is a 4-byte big-endian length, a 4-byte type and a
/// payload; a superbox (<c>jumb</c>) starts with a description box (<c>jumd</c>) naming its content
/// type (a UUID) and label, then holds child boxes. C2PA manifest stores are trees of these.
/// </summary>
internal static class Jumbf
{
    /// <summary>Description toggles: requestable (1) and label present (2), as every C2PA box uses.</summary>
    private const byte RequestableWithLabel = 0x03;

    public static byte[] SuperBox(ReadOnlySpan<byte> contentType, string label, params byte[][] children)
    {
        byte[] labelBytes = Encoding.UTF8.GetBytes(label);
        var description = new byte[16 + 1 + labelBytes.Length + 1];
        contentType.CopyTo(description);
        description[16] = RequestableWithLabel;
        labelBytes.CopyTo(description, 17);
        byte[] descriptionBox = Box("jumd", description);
        return Box("jumb", [descriptionBox, .. children]);
    }

    public static byte[] CborBox(byte[] cbor) => Box("cbor", cbor);

    public static byte[] Box(string type, params byte[][] payloads)
    {
        long length = 8 + payloads.Sum(p => (long)p.Length);
        if (length > uint.MaxValue) throw new InvalidOperationException($"a JUMBF '{type}' box of {length} bytes exceeds the 32-bit box size");
        var box = new byte[length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)length);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4, 4));
        int at = 8;
        foreach (byte[] payload in payloads)
        {
            payload.CopyTo(box, at);
            at += payload.Length;
        }
        return box;
    }
}

/// <summary>
/// One parsed JUMBF superbox. <see cref="Payload"/> is everything after its 8-byte header: C2PA
/// hashes exactly these bytes when a claim references an assertion.
/// </summary>
internal sealed class JumbfSuperBox
{
    public required byte[] ContentType { get; init; }
    public required string Label { get; init; }
    public required ReadOnlyMemory<byte> Payload { get; init; }
    public List<JumbfSuperBox> Children { get; } = [];
    /// <summary>Plain (non-super) child boxes in order: type and payload.</summary>
    public List<(string Type, ReadOnlyMemory<byte> Payload)> ContentBoxes { get; } = [];

    public JumbfSuperBox? Child(string label) => Children.FirstOrDefault(c => c.Label == label);

    public ReadOnlyMemory<byte>? FirstContent(string type)
    {
        foreach (var (t, payload) in ContentBoxes) if (t == type) return payload;
        return null;
    }

    /// <summary>Parses one superbox that fills <paramref name="data"/> exactly (trailing bytes are refused).</summary>
    public static JumbfSuperBox Parse(ReadOnlyMemory<byte> data)
    {
        var (type, payload, size) = ReadBox(data.Span, 0, data.Length);
        if (type != "jumb") throw new InvalidDataException($"expected a JUMBF superbox ('jumb'), found '{type}'");
        if (size != data.Length) throw new InvalidDataException($"the JUMBF superbox is {size} bytes but {data.Length} were given");
        return ParseSuper(data.Slice(payload.Start, payload.Length), depth: 0);
    }

    private static JumbfSuperBox ParseSuper(ReadOnlyMemory<byte> payload, int depth)
    {
        if (depth > 16) throw new InvalidDataException("JUMBF superboxes are nested more than 16 deep");
        int at = 0;
        var (descriptionType, description, descriptionSize) = ReadBox(payload.Span, at, payload.Length);
        if (descriptionType != "jumd") throw new InvalidDataException($"a JUMBF superbox must start with a description box, found '{descriptionType}'");
        ReadOnlySpan<byte> d = payload.Span.Slice(description.Start, description.Length);
        if (d.Length < 17) throw new InvalidDataException("JUMBF description box too short");
        byte toggles = d[16];
        string label = "";
        if ((toggles & 0x02) != 0)
        {
            int end = d[17..].IndexOf((byte)0);
            if (end < 0) throw new InvalidDataException("JUMBF label is not NUL-terminated");
            label = Encoding.UTF8.GetString(d.Slice(17, end));
        }
        var box = new JumbfSuperBox { ContentType = d[..16].ToArray(), Label = label, Payload = payload };
        at += descriptionSize;
        while (at < payload.Length)
        {
            var (type, range, size) = ReadBox(payload.Span, at, payload.Length);
            if (type == "jumb") box.Children.Add(ParseSuper(payload.Slice(range.Start, range.Length), depth + 1));
            else box.ContentBoxes.Add((type, payload.Slice(range.Start, range.Length)));
            at += size;
        }
        return box;
    }

    private static (string Type, (int Start, int Length) Payload, int Size) ReadBox(ReadOnlySpan<byte> data, int at, int end)
    {
        if (end - at < 8) throw new InvalidDataException("truncated JUMBF box header");
        long size = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
        string type = Encoding.ASCII.GetString(data.Slice(at + 4, 4));
        int header = 8;
        if (size == 1)
        {
            if (end - at < 16) throw new InvalidDataException("truncated JUMBF extended box header");
            size = (long)BinaryPrimitives.ReadUInt64BigEndian(data[(at + 8)..]);
            header = 16;
        }
        else if (size == 0) size = end - at;
        if (size < header || at + size > end) throw new InvalidDataException($"JUMBF box '{type}' claims {size} bytes, beyond its container");
        return (type, (at + header, (int)size - header), (int)size);
    }
}
