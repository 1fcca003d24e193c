using Kinema.Tests.Shared;

namespace Kinema.Training.Tests.Runtime;

/// <summary>
/// Kinema.Training holds every Scalar it hands libtorch, as Kinema.Core does (Kinema.Core.Tests' HeldAlphaTests): a temporary
/// one can be finalized by a garbage collection while libtorch reads it, which once killed a training run mid-step.
/// These read the assembly's IL, so a new `a + b` or `x * 0.5` fails here rather than in a long run.
/// </summary>
public sealed class HeldScalarTests
{
    private static readonly string Library = typeof(Kinema.Training.DitTrainer).Assembly.Location;

    [Fact]
    public void The_library_never_adds_tensors_without_a_held_alpha()
    {
        var offenders = TemporaryScalarCalls.UnheldAdditions(Library);
        Assert.True(offenders.Count == 0, "use HeldScalars.Plus instead of + (or add with a held alpha) in: " + string.Join(", ", offenders));
    }

    [Fact]
    public void The_library_never_turns_a_number_into_a_temporary_scalar()
    {
        var offenders = TemporaryScalarCalls.TemporaryScalars(Library);
        Assert.True(offenders.Count == 0, "hold the Scalar (HeldScalars: Times, Plus, DividedBy, Range, Filled) in: " + string.Join(", ", offenders));
    }
}
