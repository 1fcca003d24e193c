using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace Kinema.Weights;

/// <summary>One tensor a <see cref="SafeTensorsStreamWriter"/> will write: its key, dtype and shape, known before any data exists.</summary>
public sealed record TensorPlan(string Name, torch.ScalarType DType, long[] Shape)
{
    /// <summary>Bytes the tensor occupies in the file.</summary>
    public long ByteLength => Shape.Aggregate(1L, (product, dim) => product * dim) * ElementSize(DType);

    internal static int ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 or torch.ScalarType.ComplexFloat32 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        _ => 1,
    };
}

/// <summary>
/// Writes safetensors files whose tensors are produced one at a time, so a checkpoint larger than memory
/// (a 5.7 B-parameter text encoder, say) can be written: the header is built from the plan alone, then each
/// tensor is asked for, written and freed before the next. <see cref="SafeTensors.Save"/> needs every tensor
/// at once; this is its streaming sibling, with the same layout (sorted keys, header padded to 8 bytes).
/// </summary>
public static class SafeTensorsStreamWriter
{
    /// <summary>
    /// Writes one file. <paramref name="produce"/> is called once per planned tensor, in key order, inside
    /// its own dispose scope; it must return a tensor of the planned dtype and shape.
    /// </summary>
    public static void Write(string path, IReadOnlyList<TensorPlan> plan, Func<TensorPlan, torch.Tensor> produce,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(produce);
        var ordered = plan.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        for (int i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Name == ordered[i - 1].Name) throw new ArgumentException($"tensor '{ordered[i].Name}' is planned twice", nameof(plan));
        }
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
                foreach (TensorPlan item in ordered)
                {
                    using var scope = torch.NewDisposeScope();
                    torch.Tensor tensor = produce(item);
                    if (tensor.dtype != item.DType || !tensor.shape.SequenceEqual(item.Shape))
                        throw new InvalidOperationException(
                            $"tensor '{item.Name}' was planned as {item.DType} [{string.Join(", ", item.Shape)}] but produced as {tensor.dtype} [{string.Join(", ", tensor.shape)}]");
                    torch.Tensor contiguous = tensor.cpu().contiguous();
                    if (contiguous.numel() > 0) WriteBytes(stream, contiguous);
                }
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Writes a transformers/diffusers-style sharded checkpoint: <c>{stem}-0000k-of-0000n.safetensors</c> files of at
    /// most <paramref name="maxShardBytes"/> each (a larger tensor gets a shard of its own) plus
    /// <c>{stem}.safetensors.index.json</c> mapping every key to its shard. With one shard, writes <c>{stem}.safetensors</c> and no index.
    /// </summary>
    /// <returns>The paths written (shards, then the index when there is one).</returns>
    public static IReadOnlyList<string> WriteSharded(string folder, string stem, IReadOnlyList<TensorPlan> plan,
        Func<TensorPlan, torch.Tensor> produce, long maxShardBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(stem);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        Directory.CreateDirectory(folder);

        // Greedy in plan order, as transformers' shard_checkpoint does, so related tensors stay together.
        var shards = new List<List<TensorPlan>> { new() };
        long current = 0;
        foreach (TensorPlan item in plan)
        {
            if (current > 0 && current + item.ByteLength > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(item);
            current += item.ByteLength;
        }

        var written = new List<string>();
        if (shards.Count == 1)
        {
            string single = Path.Combine(folder, stem + ".safetensors");
            Write(single, shards[0], produce, new Dictionary<string, string> { ["format"] = "pt" });
            written.Add(single);
            return written;
        }

        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string name = $"{stem}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            string path = Path.Combine(folder, name);
            Write(path, shards[i], produce, new Dictionary<string, string> { ["format"] = "pt" });
            foreach (TensorPlan item in shards[i]) weightMap[item.Name] = name;
            written.Add(path);
        }

        string indexPath = Path.Combine(folder, stem + ".safetensors.index.json");
        using (var buffer = new MemoryStream())
        {
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteStartObject("metadata");
                json.WriteNumber("total_size", plan.Sum(p => p.ByteLength));
                json.WriteEndObject();
                json.WriteStartObject("weight_map");
                foreach (var (key, shard) in weightMap) json.WriteString(key, shard);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            File.WriteAllBytes(indexPath, buffer.ToArray());
        }
        written.Add(indexPath);
        return written;
    }

    private static void WriteBytes(Stream stream, torch.Tensor contiguous)
    {
        // Tensor.bytes copies the whole tensor into one managed array, which cannot exceed 2 GB; a 256k x 4096
        // bf16 embedding (2.1 GB) would overflow, so large tensors go out in row blocks.
        const long block = 1L << 28;
        long total = contiguous.numel() * contiguous.ElementSize;
        if (total <= block || contiguous.dim() == 0)
        {
            stream.Write(contiguous.bytes);
            return;
        }
        torch.Tensor flat = contiguous.view(-1);
        long perBlock = block / contiguous.ElementSize;
        for (long start = 0; start < flat.shape[0]; start += perBlock)
        {
            using var part = flat.narrow(0, start, Math.Min(perBlock, flat.shape[0] - start)).contiguous();
            stream.Write(part.bytes);
        }
    }

    private static byte[] BuildHeader(List<TensorPlan> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (TensorPlan item in ordered)
            {
                string dtype = SafeTensorsDTypes.NameOf(item.DType)
                    ?? throw new ArgumentException($"tensor '{item.Name}' is planned as {item.DType}, which safetensors cannot store");
                json.WriteStartObject(item.Name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long dim in item.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + item.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += item.ByteLength;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
