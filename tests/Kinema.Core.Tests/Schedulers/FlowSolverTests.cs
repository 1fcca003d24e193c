using Kinema.Runtime;
using Kinema.Schedulers;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Schedulers;

/// <summary>
/// Solvers integrate a flow whose exact answer is known: data x₀ ~ N(μ, s²) gives the rectified-flow
/// velocity v(x, σ) = −μ + (σ − (1−σ)s²)/var_σ · (x − (1−σ)μ) with var_σ = (1−σ)²s² + σ², and the ODE
/// carries noise z at σ = 1 to exactly μ + s·z at σ = 0 (derived by hand, independent of the solvers).
/// </summary>
public class FlowSolverTests
{
    private const double Mu = 1.5, S = 0.2;

    public FlowSolverTests() => TorchRuntime.EnsureLoaded();

    private static Tensor ExactVelocity(Tensor x, double sigma)
    {
        double variance = (1 - sigma) * (1 - sigma) * S * S + sigma * sigma;
        return (x - (1 - sigma) * Mu) * ((sigma - (1 - sigma) * S * S) / variance) - Mu;
    }

    private static double Error(SamplerKind kind, int steps, double shift = 1.0)
    {
        using var z = tensor(new double[] { 0.7, -1.3, 0.1 });
        using var solver = FlowSolver.Create(kind, FlowMatchSchedule.Sigmas(steps, shift));
        var x = z.clone();
        for (int i = 0; i < steps; i++)
        {
            using var v = ExactVelocity(x, solver.Sigmas[i]);
            var next = solver.Step(x, v, i);
            x.Dispose();
            x = next;
        }
        using var exact = z * S + Mu;
        using var error = (x - exact).abs().max();
        x.Dispose();
        return error.item<double>();
    }

    [Fact]
    public void Schedule_runs_from_one_to_exactly_zero_and_decreases()
    {
        var sigmas = FlowMatchSchedule.Sigmas(10, 3.0);
        Assert.Equal(11, sigmas.Length);
        Assert.Equal(1.0, sigmas[0], 12);
        Assert.Equal(0.0, sigmas[^1]);
        Assert.True(sigmas.Zip(sigmas.Skip(1)).All(p => p.First > p.Second));
    }

    [Fact]
    public void Shift_moves_levels_towards_noise()
    {
        var plain = FlowMatchSchedule.Sigmas(4, 1.0);
        var shifted = FlowMatchSchedule.Sigmas(4, 3.0);
        Assert.Equal(0.5, plain[2], 12);
        Assert.Equal(0.75, shifted[2], 12);                                     // 3·0.5 / (1 + 2·0.5)
    }

    [Fact]
    public void Euler_is_first_order()
    {
        double ratio = Error(SamplerKind.Euler, 32) / Error(SamplerKind.Euler, 64);
        Assert.InRange(ratio, 1.7, 2.3);
    }

    [Fact]
    public void Dpm_solver_with_16_steps_beats_euler_with_64()
    {
        double dpm16 = Error(SamplerKind.DpmPlusPlus2M, 16);
        double euler64 = Error(SamplerKind.Euler, 64);
        Assert.True(dpm16 < euler64, $"DPM++ 2M at 16 steps: {dpm16:E3}, Euler at 64 steps: {euler64:E3}");
    }

    [Fact]
    public void Dpm_solver_converges_faster_than_first_order()
    {
        double ratio = Error(SamplerKind.DpmPlusPlus2M, 64) / Error(SamplerKind.DpmPlusPlus2M, 256);
        Assert.True(ratio > 6, $"error shrank only {ratio:F1}x from 64 to 256 steps (first order would be 4x)");
    }

    [Fact]
    public void Both_solvers_agree_on_a_single_step()
    {
        // One step from σ = 1 to 0 is first order for both.
        Assert.Equal(Error(SamplerKind.Euler, 1), Error(SamplerKind.DpmPlusPlus2M, 1), 10);
    }

    [Fact]
    public void Zero_steps_are_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => FlowMatchSchedule.Sigmas(0, 1.0));
}
