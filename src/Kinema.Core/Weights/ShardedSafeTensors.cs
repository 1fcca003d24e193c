using System.Text.Json;
using TorchSharp;

namespace Kinema.Weights;

/// <summary>
/// One logical checkpoint stored as a single safetensors file or as shards listed by a diffusers/
/// transformers-style index (<c>*.safetensors.index.json</c> with a <c>weight_map</c> from key to shard
/// file, relative to the index). For an index, <see cref="Entries"/> holds exactly the keys of the
/// <c>weight_map</c>, each taken from its shard; every shard is opened and validated up front.
/// </summary>
public sealed class ShardedSafeTensors : IDisposable
{
    private readonly List<SafeTensorsFile> _files;
    private readonly Dictionary<string, SafeTensorsFile> _owner;

    private ShardedSafeTensors(string path, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> owner,
        Dictionary<string, TensorEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _files = files;
        _owner = owner;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file or index that was opened.</summary>
    public string Path { get; }

    /// <summary>All tensors of the checkpoint, by name.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }

    /// <summary>The file's <c>__metadata__</c>, or the index's <c>metadata</c> (non-string values as their JSON text).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Opens a <c>.safetensors</c> file, a <c>.safetensors.index.json</c> index, or a folder holding exactly
    /// one index (preferred) or exactly one <c>.safetensors</c> file.
    /// </summary>
    public static ShardedSafeTensors Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath)) fullPath = PickInFolder(fullPath);
        if (!fullPath.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase))
        {
            var file = SafeTensorsFile.Open(fullPath);
            return new ShardedSafeTensors(fullPath, [file], file.Entries.Keys.ToDictionary(k => k, _ => file, StringComparer.Ordinal),
                new Dictionary<string, TensorEntry>(file.Entries, StringComparer.Ordinal), file.Metadata);
        }
        return OpenIndex(fullPath);
    }

    /// <summary>Loads tensor <paramref name="name"/> from its shard; see <see cref="SafeTensorsFile.Load"/>.</summary>
    public torch.Tensor Load(string name, torch.ScalarType? convertTo = null, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_owner.TryGetValue(name, out SafeTensorsFile? file))
            throw new KeyNotFoundException($"{System.IO.Path.GetFileName(Path)} has no tensor '{name}' ({Entries.Count} tensors in the checkpoint)");
        return file.Load(name, convertTo, device);
    }

    /// <summary>Unmaps every shard.</summary>
    public void Dispose()
    {
        foreach (SafeTensorsFile file in _files) file.Dispose();
    }

    private static ShardedSafeTensors OpenIndex(string indexPath)
    {
        string indexName = System.IO.Path.GetFileName(indexPath);
        if (!File.Exists(indexPath)) throw new FileNotFoundException($"safetensors index not found: '{indexPath}'", indexPath);
        var (weightMap, metadata) = ReadIndex(indexPath, indexName);
        string folder = System.IO.Path.GetDirectoryName(indexPath)!;

        var files = new List<SafeTensorsFile>();
        try
        {
            var byShard = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var group in weightMap.GroupBy(pair => pair.Value, StringComparer.Ordinal))
            {
                string shardPath = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, group.Key));
                if (!File.Exists(shardPath))
                    throw new SafeTensorsFormatException(
                        $"{indexName}: shard '{group.Key}' (holding {group.Count()} tensors, e.g. '{group.First().Key}') does not exist in {folder}");
                var shard = SafeTensorsFile.Open(shardPath);
                files.Add(shard);
                byShard[group.Key] = shard;
            }

            var owner = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var (key, shardName) in weightMap)
            {
                SafeTensorsFile shard = byShard[shardName];
                if (!shard.Entries.TryGetValue(key, out TensorEntry? entry))
                    throw new SafeTensorsFormatException($"{indexName}: key '{key}' is listed in shard '{shardName}', but that file has no such tensor");
                owner[key] = shard;
                entries[key] = entry;
            }
            return new ShardedSafeTensors(indexPath, files, owner, entries, metadata);
        }
        catch
        {
            foreach (SafeTensorsFile file in files) file.Dispose();
            throw;
        }
    }

    private static (Dictionary<string, string> WeightMap, Dictionary<string, string> Metadata) ReadIndex(string indexPath, string indexName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException($"{indexName}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException($"{indexName}: expected an object with a 'weight_map' object mapping tensor names to shard files");
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty item in map.EnumerateObject())
            {
                if (item.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.Value.GetString()))
                    throw new SafeTensorsFormatException($"{indexName}: weight_map['{item.Name}'] must be a shard file name, found {item.Value.GetRawText()}");
                weightMap[item.Name] = item.Value.GetString()!;
            }
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty item in meta.EnumerateObject())
                    metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
            }
            return (weightMap, metadata);
        }
    }

    private static string PickInFolder(string folder)
    {
        string[] indexes = Directory.GetFiles(folder, "*.safetensors.index.json");
        if (indexes.Length == 1) return indexes[0];
        if (indexes.Length > 1)
            throw new ArgumentException($"folder '{folder}' holds {indexes.Length} safetensors indexes ({string.Join(", ", indexes.Select(System.IO.Path.GetFileName))}); name one");
        string[] files = Directory.GetFiles(folder, "*.safetensors");
        if (files.Length == 1) return files[0];
        throw new ArgumentException(files.Length == 0
            ? $"folder '{folder}' holds no .safetensors file or .safetensors.index.json"
            : $"folder '{folder}' holds {files.Length} .safetensors files and no index; name one");
    }
}
