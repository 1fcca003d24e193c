using System.Text;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.TextEncoder;

/// <summary>
/// Strict loading of a transformers umT5 checkpoint into <see cref="UMT5EncoderModel"/>. Two things differ from
/// <see cref="StateDictLoader"/>: the token embedding may be stored as <c>shared.weight</c>,
/// <c>encoder.embed_tokens.weight</c> or both (transformers ties them and saves whichever it keeps), and a full
/// encoder–decoder checkpoint's <c>decoder.*</c> / <c>lm_head.*</c> tensors are ignored. Anything else missing,
/// extra or misshapen fails with a <see cref="WeightMismatchException"/> naming every key.
/// </summary>
public static class UMT5Weights
{
    public const string EmbeddingKey = "shared.weight";
    public const string TiedEmbeddingKey = "encoder.embed_tokens.weight";
    private const string Component = "text_encoder";

    public static void Load(UMT5EncoderModel model, ShardedSafeTensors source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        Dictionary<string, Tensor> expected = model.state_dict();
        var sourceKeyFor = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var mismatches = new List<string>();
        foreach (var (key, target) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string? stored = source.Entries.ContainsKey(key) ? key
                : key == EmbeddingKey && source.Entries.ContainsKey(TiedEmbeddingKey) ? TiedEmbeddingKey : null;
            if (stored is null)
            {
                missing.Add(key);
                continue;
            }
            TensorEntry entry = source.Entries[stored];
            if (!entry.Shape.SequenceEqual(target.shape))
                mismatches.Add($"component '{Component}': key '{stored}' has shape {entry.ShapeText} in the checkpoint but the config expects [{string.Join(", ", target.shape)}]");
            else if (entry.DType is not ("F32" or "F16" or "BF16" or "F64"))
                mismatches.Add($"component '{Component}': key '{stored}' is {entry.DType} in the checkpoint; a floating dtype is needed");
            sourceKeyFor[key] = stored;
        }
        var unexpected = source.Entries.Keys
            .Where(k => !expected.ContainsKey(k) && k != TiedEmbeddingKey && !k.StartsWith("decoder.", StringComparison.Ordinal) && !k.StartsWith("lm_head.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        if (missing.Count + unexpected.Count + mismatches.Count > 0)
        {
            var message = new StringBuilder($"component '{Component}': checkpoint '{source.Path}' does not match the umT5 encoder");
            Append(message, "missing keys (in the model, not in the checkpoint)", missing);
            Append(message, "unexpected keys (in the checkpoint, not in the model)", unexpected);
            Append(message, "mismatches", mismatches);
            throw new WeightMismatchException(message.ToString(), missing, unexpected, mismatches);
        }

        using var noGrad = no_grad();
        foreach (var (key, target) in expected)
        {
            // One tensor at a time, so peak memory is the model plus its largest tensor (the 2 GB embedding).
            using var scope = NewDisposeScope();
            target.copy_(source.Load(sourceKeyFor[key], target.dtype, target.device));
        }
    }

    private static void Append(StringBuilder message, string title, List<string> items)
    {
        if (items.Count == 0) return;
        message.Append($"\n  {title}: {items.Count}");
        foreach (string item in items.Take(20)) message.Append("\n    ").Append(item);
        if (items.Count > 20) message.Append($"\n    … and {items.Count - 20} more");
    }
}
