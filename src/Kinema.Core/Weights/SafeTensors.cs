using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace Kinema.Weights;

/// <summary>Writes safetensors files in the reference layout (readable by the Python and Rust libraries).</summary>
public static class SafeTensors
{
    /// <summary>
    /// Saves <paramref name="tensors"/> (any device, any layout; contiguous CPU copies are written) with
    /// optional string <paramref name="metadata"/>. Keys are sorted, the data is laid out in key order, and
    /// the JSON header is padded with spaces to a multiple of 8 bytes, as the reference writer does. The file
    /// is written beside the target and renamed into place, so a failure never leaves a partial file.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = Validate(tensors);
        var byName = ordered.ToDictionary(item => item.Name, item => item.Tensor, StringComparer.Ordinal);
        var layout = ordered.Select(item => new TensorSpec(item.Name, item.Tensor.dtype, item.Tensor.shape)).ToList();
        // The tensors belong to the caller: hand out aliases so the writer can dispose what it is given.
        WriteFile(path, layout, name => byName[name].alias(), metadata);
    }

    /// <summary>
    /// Saves a checkpoint whose tensors are produced one at a time, so a file far larger than memory can be
    /// written: the header is built from <paramref name="layout"/>, then <paramref name="produce"/> is called
    /// once per tensor in key order and its result (which must match the declared dtype and shape) is written
    /// and disposed. Same file layout and atomic rename as <see cref="Save(string, IEnumerable{KeyValuePair{string, torch.Tensor}}, IReadOnlyDictionary{string, string}?)"/>.
    /// </summary>
    public static void Save(string path, IReadOnlyList<TensorSpec> layout, Func<string, torch.Tensor> produce, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(produce);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorSpec spec in layout)
        {
            if (string.IsNullOrEmpty(spec.Name)) throw new ArgumentException("a tensor name is empty; names must be non-empty strings", nameof(layout));
            if (spec.Name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(layout));
            if (!seen.Add(spec.Name)) throw new ArgumentException($"tensor '{spec.Name}' is given twice", nameof(layout));
            if (SafeTensorsDTypes.NameOf(spec.DType) is null)
                throw new ArgumentException($"tensor '{spec.Name}' has dtype {spec.DType}, which safetensors cannot store; allowed: {SafeTensorsDTypes.LoadableNames}", nameof(layout));
        }
        WriteFile(path, layout.OrderBy(spec => spec.Name, StringComparer.Ordinal).ToList(), produce, metadata);
    }

    private static void WriteFile(string path, List<TensorSpec> ordered, Func<string, torch.Tensor> produce, IReadOnlyDictionary<string, string>? metadata)
    {
        byte[] header = BuildHeader(ordered, metadata);

        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (TensorSpec spec in ordered)
                {
                    using var scope = torch.NewDisposeScope();
                    torch.Tensor tensor = produce(spec.Name);
                    if (tensor.dtype != spec.DType || !tensor.shape.SequenceEqual(spec.Shape))
                        throw new InvalidOperationException(
                            $"tensor '{spec.Name}' was declared {spec.DType} [{string.Join(", ", spec.Shape)}] but produced {tensor.dtype} [{string.Join(", ", tensor.shape)}]");
                    torch.Tensor contiguous = tensor.cpu().contiguous();
                    if (contiguous.numel() > 0) stream.Write(contiguous.bytes);
                }
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static List<(string Name, torch.Tensor Tensor, string DType)> Validate(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors)
    {
        var list = new List<(string, torch.Tensor, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("a tensor name is empty; names must be non-empty strings", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(tensors));
            if (!seen.Add(name)) throw new ArgumentException($"tensor '{name}' is given twice", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"tensor '{name}' is null", nameof(tensors));
            string dtype = SafeTensorsDTypes.NameOf(tensor.dtype)
                ?? throw new ArgumentException($"tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store; allowed: {SafeTensorsDTypes.LoadableNames}", nameof(tensors));
            list.Add((name, tensor, dtype));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return list;
    }

    private static byte[] BuildHeader(List<TensorSpec> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // serde_json (the reference) escapes only what JSON requires; match it rather than .NET's HTML-safe default.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(value, $"metadata['{key}']");
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (TensorSpec spec in ordered)
            {
                long bytes = spec.ElementCount * SafeTensorsDTypes.ElementSize(spec.DType);
                json.WriteStartObject(spec.Name);
                json.WriteString("dtype", SafeTensorsDTypes.NameOf(spec.DType));
                json.WriteStartArray("shape");
                foreach (long dim in spec.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

/// <summary>A tensor to be written: its name, dtype and shape, declared before its data exists.</summary>
public sealed record TensorSpec(string Name, torch.ScalarType DType, long[] Shape)
{
    /// <summary>Number of elements (1 for a scalar with shape []).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);
}
