using System.Text.Json;

namespace Kinema.Weights;

/// <summary>
/// Parses and fully validates a safetensors JSON header against the size of the data buffer that
/// follows it, so that nothing is ever read outside a tensor's declared bytes.
/// </summary>
internal static class SafeTensorsHeader
{
    public const string MetadataKey = "__metadata__";

    public static (Dictionary<string, TensorEntry> Entries, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> json, long bufferLength, string file)
    {
        // JsonDocument only notices bad UTF-8 when a string is read, so check the whole header first.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new SafeTensorsFormatException($"{file}: the header is not valid UTF-8 JSON (it contains invalid UTF-8 bytes)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException($"{file}: the header is not valid UTF-8 JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException($"{file}: the header must be a JSON object, found {document.RootElement.ValueKind}");
            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    ParseMetadata(property.Value, metadata, file);
                    continue;
                }
                if (entries.ContainsKey(property.Name))
                    throw new SafeTensorsFormatException($"{file}: tensor '{property.Name}' appears twice in the header");
                entries.Add(property.Name, ParseEntry(property.Name, property.Value, bufferLength, file));
            }
            CheckLayout(entries.Values, bufferLength, file);
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"{file}: '{MetadataKey}' must be an object of strings, found {value.ValueKind}");
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException($"{file}: metadata '{item.Name}' must be a string, found {item.Value.ValueKind}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static TensorEntry ParseEntry(string name, JsonElement value, long bufferLength, string file)
    {
        string where = $"{file}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"{where} must be an object with dtype, shape and data_offsets, found {value.ValueKind}");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException($"{where} has no string 'dtype'");
        string dtype = dtypeElement.GetString()!;
        if (!SafeTensorsDTypes.TryGetSize(dtype, out int elementSize))
            throw new SafeTensorsFormatException($"{where} has unknown dtype '{dtype}'; known: {SafeTensorsDTypes.KnownNames}");

        long[] shape = ReadIntegers(value, "shape", where, count: null);
        long[] offsets = ReadIntegers(value, "data_offsets", where, count: 2);
        long begin = offsets[0], end = offsets[1];
        var entry = new TensorEntry(name, dtype, shape, begin, end);
        string span = $"data_offsets [{begin}, {end}]";
        if (end < begin)
            throw new SafeTensorsFormatException($"{where} has {span} that end before they begin");

        long needed;
        try
        {
            needed = checked(shape.Aggregate(1L, (product, dim) => checked(product * dim)) * elementSize);
        }
        catch (OverflowException)
        {
            throw new SafeTensorsFormatException($"{where} has shape {entry.ShapeText}, too large to address");
        }
        if (end > bufferLength)
            throw new SafeTensorsFormatException(
                $"{where} has {span} but the data section holds only {bufferLength} bytes; the file may be truncated");
        if (needed != end - begin)
            throw new SafeTensorsFormatException(
                $"{where} needs {needed} bytes ({dtype}, shape {entry.ShapeText}) but {span} span {end - begin}" +
                (needed > end - begin ? "; the file may be truncated or the header wrong" : ""));
        return entry;
    }

    private static long[] ReadIntegers(JsonElement value, string field, string where, int? count)
    {
        if (!value.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException($"{where} has no '{field}' array");
        if (count is { } n && array.GetArrayLength() != n)
            throw new SafeTensorsFormatException($"{where} has '{field}' with {array.GetArrayLength()} values, expected {n}");
        var result = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number) || number < 0)
                throw new SafeTensorsFormatException($"{where} has '{field}' value {item.GetRawText()}; expected a non-negative integer");
            result[i++] = number;
        }
        return result;
    }

    /// <summary>Tensors must tile the data section exactly: no overlaps, no gaps, no trailing bytes.</summary>
    private static void CheckLayout(IEnumerable<TensorEntry> entries, long bufferLength, string file)
    {
        long cursor = 0;
        TensorEntry? previous = null;
        foreach (TensorEntry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin > cursor)
            {
                string before = previous is null ? "the start of the data" : $"tensor '{previous.Name}'";
                throw new SafeTensorsFormatException(
                    $"{file}: bytes [{cursor}, {entry.Begin}) between {before} and tensor '{entry.Name}' belong to no tensor");
            }
            if (entry.Begin < cursor && entry.ByteLength > 0)
            {
                throw new SafeTensorsFormatException(
                    $"{file}: tensor '{entry.Name}' data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            }
            if (entry.End >= cursor)
            {
                cursor = entry.End;
                previous = entry;
            }
        }
        if (cursor < bufferLength)
        {
            string after = previous is null ? "the header (there are no tensors)" : $"tensor '{previous.Name}'";
            throw new SafeTensorsFormatException($"{file}: {bufferLength - cursor} trailing bytes after {after} belong to no tensor");
        }
    }
}
