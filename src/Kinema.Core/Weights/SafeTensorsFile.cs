using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace Kinema.Weights;

/// <summary>
/// A memory-mapped safetensors file. <see cref="Open"/> validates the whole header before anything else
/// (every malformation is a <see cref="SafeTensorsFormatException"/> naming the file and key), and
/// <see cref="Load"/> copies only the requested tensor's bytes out of the mapping. Loading is safe from
/// several threads; dispose the file only when no load is running.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Headers larger than this are rejected as corrupt rather than read into memory.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MemoryMappedFile? _mapping;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly long _dataStart;
    private bool _disposed;

    private SafeTensorsFile(string path, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, long dataStart,
        Dictionary<string, TensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _mapping = mapping;
        _view = view;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>Every tensor in the header, by name.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens, validates and maps <paramref name="path"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported");
        string fullPath = System.IO.Path.GetFullPath(path);
        string name = System.IO.Path.GetFileName(fullPath);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"safetensors file not found: '{fullPath}'", fullPath);

        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var (entries, metadata, dataStart) = ReadHeader(stream, name);
            MemoryMappedFile? mapping = null;
            MemoryMappedViewAccessor? view = null;
            if (stream.Length > dataStart)
            {
                mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
                view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            }
            else
            {
                stream.Dispose();
            }
            return new SafeTensorsFile(fullPath, mapping, view, dataStart, entries, metadata);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into a new CPU tensor of its stored dtype, then converts it to
    /// <paramref name="convertTo"/> and moves it to <paramref name="device"/> when given. The caller owns the result.
    /// </summary>
    public torch.Tensor Load(string name, torch.ScalarType? convertTo = null, torch.Device? device = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(name);
        if (!Entries.TryGetValue(name, out TensorEntry? entry))
            throw new KeyNotFoundException($"{System.IO.Path.GetFileName(Path)} has no tensor '{name}' ({Entries.Count} tensors in the file)");
        if (!SafeTensorsDTypes.TryGetScalarType(entry.DType, out torch.ScalarType stored))
            throw new NotSupportedException(
                $"{System.IO.Path.GetFileName(Path)}: tensor '{name}' is {entry.DType}, which TorchSharp cannot hold; loadable: {SafeTensorsDTypes.LoadableNames}");

        torch.Tensor tensor = torch.empty(entry.Shape, stored);
        try
        {
            CopyInto(entry, tensor);
            bool convert = convertTo is { } target && target != stored;
            bool move = device is not null && device.type != DeviceType.CPU;
            if (!convert && !move) return tensor;
            torch.Tensor converted = tensor.to(convertTo ?? stored, device ?? torch.CPU);
            tensor.Dispose();
            return converted;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view?.Dispose();
        _mapping?.Dispose();
    }

    private unsafe void CopyInto(TensorEntry entry, torch.Tensor tensor)
    {
        if (entry.ByteLength == 0) return;
        Span<byte> destination = tensor.bytes;
        if (destination.Length != entry.ByteLength)
            throw new InvalidOperationException($"tensor '{entry.Name}' allocated {destination.Length} bytes for {entry.ByteLength} stored");
        byte* source = null;
        var handle = _view!.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref source);
        try
        {
            byte* start = source + _view.PointerOffset + _dataStart + entry.Begin;
            fixed (byte* target = destination)
            {
                Buffer.MemoryCopy(start, target, destination.Length, entry.ByteLength);
            }
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    private static (Dictionary<string, TensorEntry>, Dictionary<string, string>, long) ReadHeader(FileStream stream, string name)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new SafeTensorsFormatException($"{name}: the file is {fileLength} bytes, shorter than the 8-byte header length; it is truncated or not safetensors");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)MaxHeaderBytes)
            throw new SafeTensorsFormatException($"{name}: header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit; the file is corrupt or not safetensors");
        if (8 + (long)headerLength > fileLength)
            throw new SafeTensorsFormatException(
                $"{name}: header length {headerLength} is larger than the file ({fileLength} bytes, {fileLength - 8} after the length); the file may be truncated");
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = SafeTensorsHeader.Parse(json, fileLength - dataStart, name);
        return (entries, metadata, dataStart);
    }
}
