using Kinema.Runtime;
using Kinema.Schedulers;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Schedulers;

/// <summary>
/// The ancestral step x_{σ'} = (1 − σ')·x₀ + σ'·z: given a sample built from a known clean value and noise, with the
/// exact velocity v = ε − x₀, what it returns beyond (1 − σ')·x₀ must be σ' times fresh unit noise, unrelated to ε.
/// </summary>
public class EulerAncestralSolverTests
{
    private const int Count = 20_000;
    private const double CleanValue = 0.5;

    public EulerAncestralSolverTests() => TorchRuntime.EnsureLoaded();

    private static (Tensor Sample, Tensor Velocity, Tensor Epsilon) Noised(double sigma)
    {
        var epsilon = randn(new long[] { Count }, generator: new Generator(11));
        var clean = full(new long[] { Count }, CleanValue);
        return (clean * (1 - sigma) + epsilon * sigma, epsilon - clean, epsilon);
    }

    private static Tensor StepOnce(long seed, double[] sigmas, int index)
    {
        using var solver = FlowSolver.Create(SamplerKind.EulerAncestral, sigmas, seed);
        var (sample, velocity, _) = Noised(sigmas[index]);
        return solver.Step(sample, velocity, index);
    }

    [Fact]
    public void A_step_keeps_the_clean_estimate_and_adds_fresh_unit_noise()
    {
        double[] sigmas = [1.0, 0.6, 0.3, 0.0];
        using var solver = FlowSolver.Create(SamplerKind.EulerAncestral, sigmas, noiseSeed: 5);
        var (sample, velocity, epsilon) = Noised(0.6);
        using var next = solver.Step(sample, velocity, 1);
        using var added = (next - (1 - 0.3) * CleanValue) / 0.3;
        Assert.InRange(added.mean().item<float>(), -0.03, 0.03);
        Assert.InRange(added.std().item<float>(), 0.97, 1.03);
        using var correlation = (added * epsilon).mean();
        Assert.InRange(correlation.item<float>(), -0.03, 0.03);
    }

    [Fact]
    public void Below_eta_one_the_step_keeps_that_share_of_the_samples_own_noise()
    {
        double[] sigmas = [1.0, 0.6, 0.3, 0.0];
        using var solver = FlowSolver.Create(SamplerKind.EulerAncestral, sigmas, noiseSeed: 5, eta: 0.8);
        var (sample, velocity, epsilon) = Noised(0.6);
        using var next = solver.Step(sample, velocity, 1);
        using var added = (next - (1 - 0.3) * CleanValue) / 0.3;
        Assert.InRange(added.std().item<float>(), 0.97, 1.03);
        // √(1 − η²) = 0.6 of the noise is the sample's own.
        using var correlation = (added * epsilon).mean();
        Assert.InRange(correlation.item<float>(), 0.57, 0.63);
    }

    [Fact]
    public void At_eta_zero_the_step_is_the_deterministic_euler_step()
    {
        double[] sigmas = [1.0, 0.6, 0.3, 0.0];
        using var ancestral = FlowSolver.Create(SamplerKind.EulerAncestral, sigmas, noiseSeed: 5, eta: 0);
        using var euler = FlowSolver.Create(SamplerKind.Euler, sigmas);
        var (sample, velocity, _) = Noised(0.6);
        using var stochastic = ancestral.Step(sample, velocity, 1);
        using var deterministic = euler.Step(sample, velocity, 1);
        Assert.True(stochastic.allclose(deterministic, rtol: 0, atol: 1e-5));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void An_eta_outside_zero_to_one_is_refused_by_name(double eta)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FlowSolver.Create(SamplerKind.EulerAncestral, [1.0, 0.0], 1, eta));
        Assert.Contains("eta must be between 0 and 1", error.Message);
    }

    [Fact]
    public void The_last_step_returns_the_clean_estimate()
    {
        double[] sigmas = [1.0, 0.4, 0.0];
        using var last = StepOnce(3, sigmas, 1);
        Assert.True(last.allclose(full(new long[] { Count }, CleanValue), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void The_same_seed_draws_the_same_noise_and_another_seed_other_noise()
    {
        double[] sigmas = [1.0, 0.5, 0.0];
        using var first = StepOnce(42, sigmas, 0);
        using var again = StepOnce(42, sigmas, 0);
        using var other = StepOnce(43, sigmas, 0);
        Assert.True(first.equal(again).all().item<bool>());
        Assert.False(first.allclose(other));
    }

    [Fact]
    public void Its_name_reads_back()
    {
        Assert.Equal(SamplerKind.EulerAncestral, SamplerNames.Parse("euler-a"));
        Assert.Equal(SamplerKind.EulerAncestral, SamplerNames.Parse("Euler_A"));
        Assert.Equal("euler-a", SamplerKind.EulerAncestral.ToName());
        Assert.Contains("euler-a", SamplerNames.All);
    }
}
