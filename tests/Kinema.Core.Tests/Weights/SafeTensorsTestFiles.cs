using System.Buffers.Binary;
using System.Text;

namespace Kinema.Core.Tests.Weights;

/// <summary>A temporary folder for checkpoint files, deleted with its contents.</summary>
internal sealed class WeightsFolder : IDisposable
{
    public WeightsFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kinema-weights-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Builds safetensors files byte by byte, independently of the writer under test.</summary>
internal static class HandBuilt
{
    /// <summary>8-byte little-endian header length (the JSON's own length unless overridden), the JSON, then <paramref name="data"/>.</summary>
    public static byte[] File(string json, byte[] data, ulong? declaredHeaderLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static string Write(WeightsFolder folder, string name, string json, byte[] data, ulong? declaredHeaderLength = null)
    {
        string path = folder.File(name);
        System.IO.File.WriteAllBytes(path, File(json, data, declaredHeaderLength));
        return path;
    }
}
