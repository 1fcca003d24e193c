using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Runtime;

/// <summary>
/// Tensor-and-number operations that keep the number's <see cref="Scalar"/> alive until libtorch returns.
/// A number passed straight to a TorchSharp op becomes a temporary Scalar whose only reference is the call's
/// argument; the GC may finalize it, freeing the native value, while libtorch still reads it. Long training runs
/// died of exactly that ("Unknown scalar type"). The generation path uses these instead.
/// </summary>
public static class HeldScalars
{
    /// <summary>
    /// The alpha of 1 that tensor + tensor hands to libtorch. TorchSharp's operator (and <c>add(Tensor)</c>) makes a
    /// temporary Scalar for it and never keeps it alive (its <c>sub(Tensor)</c> takes no alpha, so − is safe): with a second
    /// thread collecting garbage, <c>a + b</c> failed after 53,000 additions (0.3 s) with "Expected false to be true"
    /// inside <c>toFloat</c>, and <c>a.add(b, held)</c> ran 8.1 million without a failure (session 22). Held for the
    /// process's life, so no collection can free it.
    /// </summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>Held like <see cref="One"/>: the start that <c>arange(stop)</c> would make a temporary of.</summary>
    private static readonly Scalar Zero = 0.ToScalar();

    /// <summary>tensor + other, element-wise (broadcasting), with a held alpha.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, One);

    /// <summary>tensor + a whole number; an integer tensor stays integer (a double would promote it to floating point).</summary>
    public static Tensor Plus(this Tensor tensor, long value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar, One);
    }

    /// <summary>0, 1, …, count − 1, as <c>arange(count)</c> (whose count would be a temporary Scalar).</summary>
    public static Tensor Range(long count, ScalarType dtype, Device? device = null)
    {
        using var stop = count.ToScalar();
        return arange(Zero, stop, One, dtype: dtype, device: device);
    }

    /// <summary>tensor / divisor</summary>
    public static Tensor DividedBy(this Tensor tensor, double divisor)
    {
        using var scalar = divisor.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary>A tensor of shape filled with value, as <c>full(shape, value)</c>.</summary>
    public static Tensor Filled(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using var scalar = value.ToScalar();
        return full(shape, scalar, dtype: dtype, device: device);
    }

    /// <summary>Fills tensor with value in place.</summary>
    public static Tensor FillWith(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.fill_(scalar);
    }

    /// <summary>tensor · factor</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary>tensor + value</summary>
    public static Tensor Plus(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar, One);   // add(Scalar) alone would make its alpha = 1 a temporary Scalar
    }

    /// <summary>
    /// tensor², element-wise, as tensor · tensor. TorchSharp's own <c>square()</c> is <c>pow(2)</c> with a temporary
    /// Scalar: it stopped training run v11a three times in one session (inside <c>THSTensor_pow_scalar</c>).
    /// </summary>
    public static Tensor Squared(this Tensor tensor) => tensor.mul(tensor);

    /// <summary>tensor clamped to [min, max]</summary>
    public static Tensor ClampTo(this Tensor tensor, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return tensor.clamp(low, high);
    }
}
