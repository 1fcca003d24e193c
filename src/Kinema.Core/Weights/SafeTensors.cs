using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace Kinema.Weights;

/// <summary>Writes safetensors files in the reference layout (readable by the Python and Rust libraries).</summary>
public static partial class SafeTensors
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
        WriteFile(path, layout, spec => byName[spec.Name].alias(), metadata);
    }

    /// <summary>
    /// Saves a checkpoint whose tensors are produced one at a time, so a file far larger than memory (a 5.7 B
    /// parameter text encoder, say) can be written: the header is built from <paramref name="layout"/>, then
    /// <paramref name="produce"/> is called once per tensor in key order, inside its own dispose scope, and its
    /// result (which must match the declared dtype and shape) is written and freed before the next. Same file
    /// layout and atomic rename as the in-memory overload.
    /// </summary>
    public static void Save(string path, IReadOnlyList<TensorSpec> layout, Func<TensorSpec, torch.Tensor> produce, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(produce);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorSpec spec in layout)
        {
            ArgumentNullException.ThrowIfNull(spec, nameof(layout));
            if (string.IsNullOrEmpty(spec.Name)) throw new ArgumentException("a tensor name is empty; names must be non-empty strings", nameof(layout));
            if (spec.Name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(layout));
            if (!seen.Add(spec.Name)) throw new ArgumentException($"tensor '{spec.Name}' is given twice", nameof(layout));
            if (SafeTensorsDTypes.NameOf(spec.DType) is null)
                throw new ArgumentException($"tensor '{spec.Name}' has dtype {spec.DType}, which safetensors cannot store; allowed: {SafeTensorsDTypes.LoadableNames}", nameof(layout));
        }
        WriteFile(path, layout.OrderBy(spec => spec.Name, StringComparer.Ordinal).ToList(), produce, metadata);
    }

    private static void WriteFile(string path, List<TensorSpec> ordered, Func<TensorSpec, torch.Tensor> produce, IReadOnlyDictionary<string, string>? metadata)
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
                    torch.Tensor tensor = produce(spec);
                    if (tensor.dtype != spec.DType || !tensor.shape.SequenceEqual(spec.Shape))
                        throw new InvalidOperationException(
                            $"tensor '{spec.Name}' was declared {spec.DType} [{string.Join(", ", spec.Shape)}] but produced {tensor.dtype} [{string.Join(", ", tensor.shape)}]");
                    torch.Tensor contiguous = tensor.cpu().contiguous();
                    if (contiguous.numel() > 0) WriteData(stream, contiguous);
                }
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void WriteData(Stream stream, torch.Tensor contiguous)
    {
        // Tensor.bytes copies the whole tensor into one managed array, which cannot exceed 2 GB; umT5-XXL's
        // 256k x 4096 bf16 embedding is 2.1 GB, so large tensors go out in blocks of the flattened data.
        const long BlockBytes = 1L << 28;
        long total = contiguous.numel() * contiguous.ElementSize;
        if (total <= BlockBytes || contiguous.dim() == 0)
        {
            stream.Write(contiguous.bytes);
            return;
        }
        using var flat = contiguous.view(-1);
        long perBlock = BlockBytes / contiguous.ElementSize;
        for (long start = 0; start < flat.shape[0]; start += perBlock)
        {
            using var part = flat.narrow(0, start, Math.Min(perBlock, flat.shape[0] - start)).contiguous();
            stream.Write(part.bytes);
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
                long bytes = spec.ByteLength;
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
