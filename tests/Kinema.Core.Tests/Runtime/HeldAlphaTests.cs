using Kinema.Pipelines;
using Kinema.Runtime;
using Kinema.Tests.Shared;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Runtime;

/// <summary>
/// TorchSharp's tensor + tensor passes libtorch a temporary alpha Scalar that a garbage collection can free mid-call
/// (see <see cref="HeldScalars"/>), and so does any number passed straight to an op. Kinema.Core adds tensors with
/// <see cref="HeldScalars.Plus(Tensor, Tensor)"/> and holds every Scalar it makes; these read the assembly's IL, so a new
/// <c>a + b</c> or <c>x * 0.5</c> anywhere in the library fails in <see cref="CoreHeldScalarTests"/> rather than in a long run.
/// </summary>
public sealed class CoreHeldScalarTests() : HeldScalarTests(typeof(KinemaModel).Assembly.Location);

/// <summary>The held-Scalar helpers compute what the operators they replace compute.</summary>
public sealed class HeldAlphaTests
{
    [Fact]
    public void Plus_adds_tensors_like_the_operator()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = tensor(new float[] { 10, 20, 30 });
        using var sum = a.Plus(b);
        Assert.Equal(new float[] { 11, 22, 33 }, sum.data<float>().ToArray());
    }

    [Fact]
    public void Plus_adds_a_number_to_a_floating_tensor_and_keeps_an_integer_tensor_integer()
    {
        using var x = tensor(new float[] { 1, 2 });
        using var half = x.Plus(0.5);
        Assert.Equal(new float[] { 1.5f, 2.5f }, half.data<float>().ToArray());
        using var counts = tensor(new long[] { 1, 2 });
        using var shifted = counts.Plus(3L);
        Assert.Equal(ScalarType.Int64, shifted.dtype);
        Assert.Equal(new long[] { 4, 5 }, shifted.data<long>().ToArray());
    }
}
