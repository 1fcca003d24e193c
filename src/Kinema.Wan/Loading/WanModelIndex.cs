using System.Text.Json;

namespace Kinema.Wan.Loading;

/// <summary>One entry of <c>model_index.json</c>: the library and class that build a component.</summary>
public sealed record WanComponentEntry(string Name, string Library, string ClassName);

/// <summary>
/// <c>model_index.json</c> of a diffusers Wan folder: the pipeline class, the components it lists (an entry
/// of <c>[null, null]</c>, like Wan 2.2 TI2V's <c>transformer_2</c>, means "declared, not shipped") and the
/// pipeline options Wan uses.
/// </summary>
public sealed record WanModelIndex
{
    /// <summary>Well-known component names.</summary>
    public const string Transformer = "transformer", Vae = "vae", TextEncoder = "text_encoder", Tokenizer = "tokenizer", Scheduler = "scheduler";

    public required string PipelineClass { get; init; }
    public string? DiffusersVersion { get; init; }

    /// <summary>Shipped components by name.</summary>
    public required IReadOnlyDictionary<string, WanComponentEntry> Components { get; init; }

    /// <summary>Wan 2.2 TI2V: timesteps are given per token (latent frame 0 can be clean).</summary>
    public bool ExpandTimesteps { get; init; }

    /// <summary>Wan 2.2 A14B: the timestep fraction at which the second (low-noise) expert takes over; null for one expert.</summary>
    public double? BoundaryRatio { get; init; }

    /// <summary>Parses <paramref name="path"/>; errors name the file and the entry.</summary>
    public static WanModelIndex Load(string path)
    {
        const string Component = "model_index";
        if (!File.Exists(path)) throw new WanCheckpointException(Component, path, "model_index.json not found; is this a diffusers model folder?");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new WanCheckpointException(Component, path, $"not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new WanCheckpointException(Component, path, "expected a JSON object");
            string pipeline = root.TryGetProperty("_class_name", out var cls) && cls.ValueKind == JsonValueKind.String
                ? cls.GetString()!
                : throw new WanCheckpointException(Component, path, "no '_class_name' string");
            var components = new Dictionary<string, WanComponentEntry>(StringComparer.Ordinal);
            bool expand = false;
            double? boundary = null;
            string? version = null;
            foreach (JsonProperty item in root.EnumerateObject())
            {
                switch (item.Name)
                {
                    case "_diffusers_version":
                        version = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString() : null;
                        continue;
                    case "expand_timesteps":
                        expand = item.Value.ValueKind == JsonValueKind.True;
                        continue;
                    case "boundary_ratio":
                        boundary = item.Value.ValueKind == JsonValueKind.Number ? item.Value.GetDouble() : null;
                        continue;
                }
                if (item.Name.StartsWith('_') || item.Value.ValueKind != JsonValueKind.Array) continue;
                var pair = item.Value.EnumerateArray().ToArray();
                if (pair.Length != 2)
                    throw new WanCheckpointException(Component, path, $"entry '{item.Name}' must be [library, class], found {item.Value.GetRawText()}");
                if (pair[0].ValueKind == JsonValueKind.Null && pair[1].ValueKind == JsonValueKind.Null) continue;
                if (pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String)
                    throw new WanCheckpointException(Component, path, $"entry '{item.Name}' must be two strings, found {item.Value.GetRawText()}");
                components[item.Name] = new WanComponentEntry(item.Name, pair[0].GetString()!, pair[1].GetString()!);
            }
            return new WanModelIndex
            {
                PipelineClass = pipeline, DiffusersVersion = version, Components = components,
                ExpandTimesteps = expand, BoundaryRatio = boundary,
            };
        }
    }
}
