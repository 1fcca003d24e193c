using System.Text.Json;
using System.Text.Json.Nodes;
using Kinema.IO;
using TorchSharp;

namespace Kinema.Weights;

public static partial class SafeTensors
{
    /// <summary>
    /// Splits <paramref name="layout"/>, in the given order, into shards of at most <paramref name="maxShardBytes"/>
    /// (a tensor larger than the limit gets a shard of its own), greedily as diffusers' <c>save_pretrained</c> and
    /// transformers' <c>shard_checkpoint</c> do, so related tensors (one block's) stay together.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TensorSpec>> PlanShards(IReadOnlyList<TensorSpec> layout, long maxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        var shards = new List<List<TensorSpec>> { new() };
        long current = 0;
        foreach (TensorSpec spec in layout)
        {
            long bytes = spec.ByteLength;
            if (current > 0 && current + bytes > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(spec);
            current += bytes;
        }
        return shards;
    }

    /// <summary>
    /// Writes a diffusers/transformers-style sharded checkpoint into <paramref name="folder"/>, streaming tensors as
    /// <see cref="Save(string, IReadOnlyList{TensorSpec}, Func{TensorSpec, torch.Tensor}, IReadOnlyDictionary{string, string}?)"/>
    /// does: <c>{stem}-0000k-of-0000n.safetensors</c> shards planned by <see cref="PlanShards"/> plus
    /// <c>{stem}.safetensors.index.json</c> mapping every key to its shard. With one shard it writes
    /// <c>{stem}.safetensors</c> and no index, as those libraries do. Every file carries <c>format: pt</c>.
    /// </summary>
    /// <returns>The paths written (shards, then the index when there is one).</returns>
    public static IReadOnlyList<string> SaveSharded(string folder, string stem, IReadOnlyList<TensorSpec> layout,
        Func<TensorSpec, torch.Tensor> produce, long maxShardBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(stem);
        ArgumentNullException.ThrowIfNull(produce);
        var shards = PlanShards(layout, maxShardBytes);
        Directory.CreateDirectory(folder);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };

        if (shards.Count == 1)
        {
            string single = Path.Combine(folder, stem + ".safetensors");
            Save(single, shards[0], produce, metadata);
            return [single];
        }

        var written = new List<string>();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string name = $"{stem}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            string path = Path.Combine(folder, name);
            Save(path, shards[i], produce, metadata);
            foreach (TensorSpec spec in shards[i]) weightMap[spec.Name] = name;
            written.Add(path);
        }

        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = layout.Sum(spec => spec.ByteLength) },
            ["weight_map"] = new JsonObject(weightMap.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value))),
        };
        string indexPath = Path.Combine(folder, stem + ".safetensors.index.json");
        AtomicFile.WriteAllText(indexPath, index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        written.Add(indexPath);
        return written;
    }
}
