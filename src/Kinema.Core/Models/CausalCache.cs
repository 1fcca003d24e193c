using static TorchSharp.torch;

namespace Kinema.Models;

/// <summary>
/// The trailing input frames each causal layer needs from the previous temporal chunk. One cache covers
/// one pass over one video: a fresh cache means "this chunk starts at frame 0". Cached tensors are
/// detached from dispose scopes so they survive the per-chunk scope, and are freed when replaced.
/// </summary>
public sealed class CausalCache : IDisposable
{
    private readonly Dictionary<object, Tensor> _frames = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<object> _started = new(ReferenceEqualityComparer.Instance);

    /// <summary>True until <paramref name="layer"/> has seen its first chunk.</summary>
    public bool IsStart(object layer) => !_started.Contains(layer);

    public void MarkStarted(object layer) => _started.Add(layer);

    public Tensor? Get(object layer) => _frames.TryGetValue(layer, out var t) ? t : null;

    /// <summary>Stores a copy of <paramref name="frames"/> (so a slice does not pin its whole parent).</summary>
    public void Set(object layer, Tensor frames)
    {
        var copy = frames.clone().DetachFromDisposeScope();
        if (_frames.Remove(layer, out var old)) old.Dispose();
        _frames[layer] = copy;
    }

    public void Dispose()
    {
        foreach (var t in _frames.Values) t.Dispose();
        _frames.Clear();
        _started.Clear();
    }
}
