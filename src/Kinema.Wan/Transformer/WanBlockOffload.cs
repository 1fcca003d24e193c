using static TorchSharp.torch;

namespace Kinema.Wan.Transformer;

/// <summary>
/// Sequential block offload on the CPU: every block keeps its matmul weights (attention and feed-forward) in a 16-bit
/// storage dtype and takes the compute dtype only for its own forward, so at most one block is resident in the compute
/// dtype. The norms and modulation tables, which diffusers keeps in fp32, stay fp32 throughout. The conversion
/// 16-bit → Float32 → 16-bit is exact, so nothing drifts however often a block is materialised.
/// </summary>
internal sealed class WanBlockOffload(IReadOnlyList<WanTransformerBlock> blocks, ScalarType computeType, ScalarType storageType)
{
    /// <summary>Gives block <paramref name="index"/> its compute dtype until the returned handle is disposed.</summary>
    public IDisposable Materialize(int index)
    {
        blocks[index].ConvertMatmulWeights(computeType);
        return new Release(blocks[index], storageType);
    }

    private sealed class Release(WanTransformerBlock block, ScalarType storageType) : IDisposable
    {
        public void Dispose() => block.ConvertMatmulWeights(storageType);
    }
}
