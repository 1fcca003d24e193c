using TorchSharp;

namespace Kinema.Weights;

/// <summary>A tensor to be written: its name, dtype and shape, declared before its data exists.</summary>
public sealed record TensorSpec(string Name, torch.ScalarType DType, long[] Shape)
{
    /// <summary>Number of elements (1 for a scalar with shape []).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);

    /// <summary>Bytes the tensor occupies in a safetensors file; throws for a dtype safetensors cannot store.</summary>
    public long ByteLength => ElementCount * SafeTensorsDTypes.ElementSize(DType);
}
