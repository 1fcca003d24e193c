using Kinema.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Runtime;

/// <summary>The IL scan behind the held-Scalar tests, run on the examples below (compiled into this test assembly).</summary>
public sealed class TemporaryScalarCallsTests
{
    private static readonly List<string> Found = TemporaryScalarCalls.TemporaryScalars(typeof(TemporaryScalarCallsTests).Assembly.Location);

    [Fact]
    public void A_scalar_made_inline_and_passed_straight_on_is_found_with_its_line()
        => Assert.Contains(Found, f => f.StartsWith($"Examples.{nameof(Examples.InlineToScalar)} ({nameof(TemporaryScalarCallsTests)}.cs:", StringComparison.Ordinal));

    [Fact]
    public void A_scalar_held_in_a_local_is_not_found()
        => Assert.DoesNotContain(Found, f => f.StartsWith($"Examples.{nameof(Examples.HeldToScalar)}", StringComparison.Ordinal));

    [Fact]
    public void A_number_operator_after_a_switch_is_found()
        => Assert.Contains(Found, f => f.StartsWith($"Examples.{nameof(Examples.NumberOperatorAfterSwitch)}", StringComparison.Ordinal));

    private static class Examples
    {
        public static Tensor InlineToScalar(Tensor x) => x.clamp_min(1e-4.ToScalar());

        public static Tensor HeldToScalar(Tensor x)
        {
            using var floor = 1e-4.ToScalar();
            return x.clamp_min(floor);
        }

        public static Tensor NumberOperatorAfterSwitch(Tensor x, int mode)
        {
            // The reader skips the switch's jump table to reach the code after it.
            double factor;
            switch (mode)
            {
                case 0: factor = 0.5; break;
                case 1: factor = 2; break;
                case 2: factor = 3; break;
                case 3: factor = 5; break;
                default: factor = 1; break;
            }
            return x * factor;
        }
    }
}
