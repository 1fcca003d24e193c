namespace Kinema.Weights;

/// <summary>
/// One tensor as described by a safetensors header. <see cref="Begin"/> and <see cref="End"/> are byte
/// offsets relative to the start of the data buffer (after the header), end exclusive.
/// </summary>
public sealed record TensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar with shape []).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);

    /// <summary>Bytes of data, <c>End - Begin</c>.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as PyTorch prints it, e.g. "[256, 64]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
