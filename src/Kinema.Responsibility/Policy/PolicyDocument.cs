using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinema.Responsibility.Policy;

/// <summary>What to do when a category matches.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PolicyAction>))]
public enum PolicyAction
{
    [JsonStringEnumMemberName("allow")] Allow,
    [JsonStringEnumMemberName("warn")] Warn,
    [JsonStringEnumMemberName("block")] Block,
}

/// <summary>
/// One category of the policy. It matches when any <see cref="Terms"/> entry (words or phrases in base
/// form; inflections are recognised) appears, any <see cref="Patterns"/> regex matches the normalised
/// text, any <see cref="CompactTerms"/> entry appears in the text with all spaces and punctuation
/// removed, or every group of one of the <see cref="Combinations"/> has a term present (for example a
/// word for a minor together with a sexual word).
/// </summary>
public sealed record PolicyCategory
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public PolicyAction Action { get; init; } = PolicyAction.Block;
    public List<string> Terms { get; init; } = [];
    public List<string> Patterns { get; init; } = [];
    [JsonPropertyName("compact_terms")] public List<string> CompactTerms { get; init; } = [];
    public List<List<List<string>>> Combinations { get; init; } = [];
}

/// <summary>Audit settings: the prompt itself is logged only when the operator opts in.</summary>
public sealed record PolicyAuditSettings
{
    [JsonPropertyName("include_prompts")] public bool IncludePrompts { get; init; }
}

/// <summary>
/// A content policy as the operator writes it (JSON). <see cref="Extends"/> = "default" layers this
/// file over the shipped default: categories with a known id gain the listed terms (and take the
/// new action if one is given), new ids are added, and <see cref="Allow"/> phrases are combined.
/// </summary>
public sealed record PolicyDocument
{
    public const string ResourceName = "Kinema.Responsibility.default-policy.json";

    public int Version { get; init; } = 1;
    public string Name { get; init; } = "unnamed";
    public string? Description { get; init; }
    public string? Extends { get; init; }

    /// <summary>Benign phrases removed before matching ("kill the lights", "bath bomb").</summary>
    public List<string> Allow { get; init; } = [];
    public List<PolicyCategory> Categories { get; init; } = [];
    public PolicyAuditSettings Audit { get; init; } = new();

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    /// <summary>The policy shipped inside Kinema (the same text as policies/default.json).</summary>
    public static PolicyDocument LoadDefault()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the default policy resource '{ResourceName}' is missing from the build");
        return Parse(stream, "the shipped default policy");
    }

    /// <summary>A policy file; one that says <c>"extends": "default"</c> is merged over the default.</summary>
    public static PolicyDocument Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"policy file not found: '{Path.GetFullPath(path)}'", path);
        using var stream = File.OpenRead(path);
        var document = Parse(stream, path);
        if (document.Extends is null) return document;
        if (document.Extends != "default") throw new InvalidDataException($"'{path}': \"extends\" can only be \"default\", not \"{document.Extends}\"");
        return LoadDefault().MergedWith(document);
    }

    /// <summary><paramref name="path"/> if given, else <c>KINEMA_POLICY</c>, else the shipped default.</summary>
    public static PolicyDocument Resolve(string? path)
    {
        path ??= Environment.GetEnvironmentVariable("KINEMA_POLICY") is { Length: > 0 } configured ? configured : null;
        return path is null ? LoadDefault() : Load(path);
    }

    private static PolicyDocument Parse(Stream stream, string source)
    {
        PolicyDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<PolicyDocument>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a valid policy: {e.Message}", e);
        }
        if (document is null) throw new InvalidDataException($"{source} is empty");
        foreach (var category in document.Categories)
        {
            if (string.IsNullOrWhiteSpace(category.Id)) throw new InvalidDataException($"{source}: every category needs an id");
            foreach (string pattern in category.Patterns)
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(pattern);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"{source}: category '{category.Id}' has an invalid pattern '{pattern}': {e.Message}", e);
                }
            }
        }
        return document;
    }

    private PolicyDocument MergedWith(PolicyDocument overlay)
    {
        var categories = Categories.ToDictionary(c => c.Id);
        var order = Categories.Select(c => c.Id).ToList();
        foreach (var extra in overlay.Categories)
        {
            if (categories.TryGetValue(extra.Id, out var existing))
            {
                categories[extra.Id] = existing with
                {
                    Action = extra.Action,
                    Terms = [.. existing.Terms, .. extra.Terms],
                    Patterns = [.. existing.Patterns, .. extra.Patterns],
                    CompactTerms = [.. existing.CompactTerms, .. extra.CompactTerms],
                    Combinations = [.. existing.Combinations, .. extra.Combinations],
                };
            }
            else
            {
                categories[extra.Id] = extra;
                order.Add(extra.Id);
            }
        }
        return this with
        {
            Name = overlay.Name,
            Description = overlay.Description ?? Description,
            Extends = null,
            Allow = [.. Allow, .. overlay.Allow],
            Categories = [.. order.Select(id => categories[id])],
            Audit = overlay.Audit,
        };
    }
}
