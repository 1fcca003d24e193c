namespace Kinema.Tests.Shared;

/// <summary>
/// A library holds every Scalar it hands libtorch (<see cref="TemporaryScalarCalls"/>): a temporary one can be
/// finalized by a garbage collection while libtorch reads it, which once killed a training run mid-step. Each guarded
/// library's test project derives from this with its assembly, so a new <c>a + b</c> or <c>x * 0.5</c> fails there,
/// naming the file and line, rather than in a long run.
/// </summary>
public abstract class HeldScalarTests(string library)
{
    [Fact]
    public void The_library_never_adds_tensors_without_a_held_alpha()
    {
        var offenders = TemporaryScalarCalls.UnheldAdditions(library);
        Assert.True(offenders.Count == 0, "use HeldScalars.Plus instead of + (or add with a held alpha) in: " + string.Join(", ", offenders));
    }

    [Fact]
    public void The_library_never_turns_a_number_into_a_temporary_scalar()
    {
        var offenders = TemporaryScalarCalls.TemporaryScalars(library);
        Assert.True(offenders.Count == 0, "hold the Scalar (HeldScalars: Times, Plus, DividedBy, Range, Filled, ClampTo) in: " + string.Join(", ", offenders));
    }
}
