using System.Text;
using TorchSharp;

namespace Kinema.Weights;

/// <summary>
/// Loads a checkpoint into an existing module's parameters and buffers, strictly: every key must be
/// present on both sides with the same shape, or nothing is copied and a <see cref="WeightMismatchException"/>
/// lists all problems. Floating tensors stored as F64/F32/F16/BF16 are converted to the parameter's dtype;
/// other dtypes must match exactly. Values land on the parameter's device.
/// </summary>
public static class StateDictLoader
{
    private const int MaxListed = 20;

    /// <summary>Copies the checkpoint's tensors into <paramref name="module"/>; <paramref name="component"/> names it in errors (e.g. "transformer").</summary>
    public static void Load(torch.nn.Module module, ShardedSafeTensors source, string component)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(component);

        // Taken outside the dispose scope: these are the module's own tensors and must outlive it.
        Dictionary<string, torch.Tensor> expected = module.state_dict();
        Check(expected, source, component);

        using var noGrad = torch.no_grad();
        foreach (var (key, target) in expected)
        {
            // One tensor at a time: holding every converted copy until the end doubled the peak memory of a load
            // (a 1.3B Wan transformer in fp32 peaked at 13.8 GiB for 5.2 GiB of weights).
            using var scope = torch.NewDisposeScope();
            target.copy_(source.Load(key, target.dtype, target.device));
        }
    }

    /// <summary>
    /// A warm start across shapes: copies every checkpoint tensor whose key and shape match the module's
    /// and leaves the rest at their current (initial) values. Returns the module's keys that were not
    /// copied because the checkpoint lacks them or holds another shape, so the caller can say what starts fresh. Keys for which
    /// <paramref name="exclude"/> is true also keep their current values; they are reported only when the
    /// checkpoint could not supply them. Dtypes convert as in <see cref="Load"/>.
    /// </summary>
    public static IReadOnlyList<string> LoadMatching(torch.nn.Module module, ShardedSafeTensors source, Func<string, bool>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        Dictionary<string, torch.Tensor> expected = module.state_dict();
        var skipped = new List<string>();
        using var noGrad = torch.no_grad();
        foreach (var (key, target) in expected.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!source.Entries.TryGetValue(key, out TensorEntry? entry) || !entry.Shape.SequenceEqual(target.shape) || !Convertible(entry, target))
            {
                skipped.Add(key);
                continue;
            }
            if (exclude?.Invoke(key) == true) continue;
            using var scope = torch.NewDisposeScope();
            target.copy_(source.Load(key, target.dtype, target.device));
        }
        return skipped;
    }

    private static void Check(Dictionary<string, torch.Tensor> expected, ShardedSafeTensors source, string component)
    {
        var missing = expected.Keys.Where(key => !source.Entries.ContainsKey(key)).Order(StringComparer.Ordinal).ToList();
        var unexpected = source.Entries.Keys.Where(key => !expected.ContainsKey(key)).Order(StringComparer.Ordinal).ToList();
        var mismatches = new List<string>();
        foreach (var (key, target) in expected.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!source.Entries.TryGetValue(key, out TensorEntry? entry)) continue;
            if (!entry.Shape.SequenceEqual(target.shape))
            {
                mismatches.Add($"component '{component}': key '{key}' has shape {entry.ShapeText} in the checkpoint but the config expects [{string.Join(", ", target.shape)}]");
                continue;
            }
            if (!Convertible(entry, target))
                mismatches.Add($"component '{component}': key '{key}' is {entry.DType} in the checkpoint but the model holds {target.dtype}");
        }
        if (missing.Count == 0 && unexpected.Count == 0 && mismatches.Count == 0) return;

        var message = new StringBuilder($"component '{component}': checkpoint '{source.Path}' does not match the model");
        AppendList(message, "missing keys (in the model, not in the checkpoint)", missing);
        AppendList(message, "unexpected keys (in the checkpoint, not in the model)", unexpected);
        AppendList(message, "mismatches", mismatches);
        throw new WeightMismatchException(message.ToString(), missing, unexpected, mismatches);
    }

    /// <summary>Floating tensors convert between float dtypes; anything else must match exactly.</summary>
    private static bool Convertible(TensorEntry entry, torch.Tensor target) => SafeTensorsDTypes.IsFloating(target.dtype)
        ? SafeTensorsDTypes.IsFloating(entry.DType)
        : SafeTensorsDTypes.TryGetScalarType(entry.DType, out var stored) && stored == target.dtype;

    private static void AppendList(StringBuilder message, string title, List<string> items)
    {
        if (items.Count == 0) return;
        message.Append($"\n  {title}: {items.Count}");
        foreach (string item in items.Take(MaxListed)) message.Append("\n    ").Append(item);
        if (items.Count > MaxListed) message.Append($"\n    … and {items.Count - MaxListed} more");
    }
}
