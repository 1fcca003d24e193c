using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Kinema.Responsibility.C2pa;

namespace Kinema.Responsibility.Watermark;

/// <summary>Payload framing: 64 payload bits, a CRC-32 over them, then the convolutional code.</summary>
public static class WatermarkCodec
{
    public const string SchemeName = "kinema-wm-v1";

    /// <summary>The 64-bit payload for a video id: the first 8 bytes of SHA-256 of its UTF-8 text.</summary>
    public static ulong PayloadFor(string videoId)
    {
        ArgumentException.ThrowIfNullOrEmpty(videoId);
        return BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(videoId)));
    }

    public static string ToHex(ulong payload) => payload.ToString("x16");

    internal static bool[] Encode(ulong payload)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, payload);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), Crc32.Compute(bytes.AsSpan(0, 8)));
        var data = new bool[WatermarkLayout.DataBits];
        for (int i = 0; i < data.Length; i++) data[i] = (bytes[i / 8] >> (7 - i % 8) & 1) == 1;
        return ConvolutionalCode.Encode(data);
    }

    /// <summary>Decodes soft coded bits; null when the CRC does not match (no payload, or too damaged).</summary>
    internal static ulong? Decode(ReadOnlySpan<double> soft)
    {
        bool[] data = ConvolutionalCode.Decode(soft, WatermarkLayout.DataBits);
        var bytes = new byte[12];
        for (int i = 0; i < data.Length; i++) if (data[i]) bytes[i / 8] |= (byte)(1 << (7 - i % 8));
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)) != Crc32.Compute(bytes.AsSpan(0, 8))) return null;
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}
