using Kinema.Runtime;
using static TorchSharp.torch;

namespace Kinema.Schedulers;

/// <summary>
/// Integrates the flow ODE dx/dσ = v(x, σ) over a fixed list of noise levels. Solvers know nothing about
/// networks: the pipeline calls the model and hands its velocity to <see cref="Step"/>.
/// </summary>
public abstract class FlowSolver : IDisposable
{
    protected FlowSolver(double[] sigmas)
    {
        if (sigmas.Length < 2) throw new ArgumentException("a schedule needs at least two noise levels");
        Sigmas = sigmas;
    }

    public IReadOnlyList<double> Sigmas { get; }
    public int Steps => Sigmas.Count - 1;

    /// <summary>Model timestep for step <paramref name="index"/> (σ · 1000).</summary>
    public double Timestep(int index) => Sigmas[index] * FlowMatchSchedule.TimestepScale;

    /// <summary>Advances <paramref name="sample"/> from level index to index + 1, given the model's velocity there.</summary>
    public abstract Tensor Step(Tensor sample, Tensor velocity, int index);

    /// <param name="noiseSeed">Seeds the fresh noise of stochastic solvers; the others ignore it.</param>
    /// <param name="eta">The share of fresh noise a stochastic solver re-noises with (see <see cref="EulerAncestralFlowSolver"/>); the others ignore it.</param>
    public static FlowSolver Create(SamplerKind kind, double[] sigmas, long noiseSeed = 0, double eta = 1.0) => kind switch
    {
        SamplerKind.Euler => new EulerFlowSolver(sigmas),
        SamplerKind.DpmPlusPlus2M => new DpmSolverPlusPlus2M(sigmas),
        SamplerKind.EulerAncestral => new EulerAncestralFlowSolver(sigmas, noiseSeed, eta),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"unknown sampler {kind}"),
    };

    public virtual void Dispose() => GC.SuppressFinalize(this);

    protected void CheckIndex(int index)
    {
        if (index < 0 || index >= Steps) throw new ArgumentOutOfRangeException(nameof(index), $"step index must be in [0, {Steps}), got {index}");
    }
}

/// <summary>x_{σ'} = x_σ + (σ' − σ)·v.</summary>
public sealed class EulerFlowSolver(double[] sigmas) : FlowSolver(sigmas)
{
    public override Tensor Step(Tensor sample, Tensor velocity, int index)
    {
        CheckIndex(index);
        double dt = Sigmas[index + 1] - Sigmas[index];
        return sample.Plus(velocity.Times(dt));
    }
}

/// <summary>
/// Ancestral Euler for rectified flow: x_{σ'} = (1 − σ')·x₀ + σ'·n, with the denoised estimate x₀ = x − σ·v. The noise
/// n = √(1 − η²)·ε̂ + η·z mixes the noise the model estimates in the sample, ε̂ = x + (1 − σ)·v, with fresh standard-normal
/// noise z, drawn on the CPU from (seed, step) so a seed gives the same video on any device. At η = 1 every step starts
/// from the model's clean estimate alone: where the ODE solvers carry the model's mistakes forward in the sample, each
/// step can correct the last. Measured on the undertrained built-in model this steadies the frames and, at η = 1, calms
/// them below the truth's motion; η below 1 keeps part of the trajectory's noise and with it more motion
/// (docs/training.md, sessions 18 and 19). η = 0 is the deterministic DDIM step. The last step (σ' = 0) returns x₀.
/// </summary>
public sealed class EulerAncestralFlowSolver : FlowSolver
{
    private readonly long _noiseSeed;

    public EulerAncestralFlowSolver(double[] sigmas, long noiseSeed, double eta = 1.0) : base(sigmas)
    {
        if (!(eta >= 0 && eta <= 1)) throw new ArgumentOutOfRangeException(nameof(eta), $"eta must be between 0 and 1, got {eta}");
        _noiseSeed = noiseSeed;
        Eta = eta;
    }

    /// <summary>The share of fresh noise: its variance is η², the estimated noise's 1 − η².</summary>
    public double Eta { get; }

    public override Tensor Step(Tensor sample, Tensor velocity, int index)
    {
        CheckIndex(index);
        double s = Sigmas[index], t = Sigmas[index + 1];
        using var scope = NewDisposeScope();
        var denoised = sample - velocity.Times(s);
        if (t == 0) return denoised.MoveToOuterDisposeScope();
        var noise = Eta switch
        {
            1 => FreshNoise(sample, index),
            0 => EstimatedNoise(sample, velocity, s),
            _ => EstimatedNoise(sample, velocity, s).Times(Math.Sqrt(1 - Eta * Eta)).Plus(FreshNoise(sample, index).Times(Eta)),
        };
        return denoised.Times(1 - t).Plus(noise.Times(t)).MoveToOuterDisposeScope();
    }

    /// <summary>The noise the model sees in the sample: x = (1 − σ)·x₀ + σ·ε and v = ε − x₀ give ε = x + (1 − σ)·v.</summary>
    private static Tensor EstimatedNoise(Tensor sample, Tensor velocity, double sigma) => sample.Plus(velocity.Times(1 - sigma));

    private Tensor FreshNoise(Tensor like, int index)
    {
        using var generator = new Generator(StepSeed(_noiseSeed, index));
        return randn(like.shape, dtype: ScalarType.Float32, generator: generator).to(like.dtype, like.device);
    }

    /// <summary>A 64-bit mix of seed and step, so neighbouring seeds and steps draw unrelated noise.</summary>
    internal static ulong StepSeed(long seed, int index)
    {
        ulong h = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(index + 1) * 0xBF58476D1CE4E5B9UL;
        h ^= h >> 31; h *= 0xD6E8FEB86659FD93UL; h ^= h >> 32;
        return h;
    }
}

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022) written for rectified flow, where α_σ = 1 − σ and λ = log(α/σ).
/// The denoised estimate is x₀ = x − σ·v; each step extrapolates linearly from the last two estimates.
/// The first step (λ = −∞ at σ = 1) and the last (σ' = 0, λ' = +∞) fall back to first order, which for
/// rectified flow coincides with Euler.
/// </summary>
public sealed class DpmSolverPlusPlus2M(double[] sigmas) : FlowSolver(sigmas)
{
    private Tensor? _previousDenoised;
    private int _previousIndex = -1;

    public override Tensor Step(Tensor sample, Tensor velocity, int index)
    {
        CheckIndex(index);
        double s = Sigmas[index], t = Sigmas[index + 1];
        double alphaS = 1 - s, alphaT = 1 - t;
        using var scope = NewDisposeScope();
        var denoised = sample - velocity.Times(s);

        Tensor estimate = denoised;
        bool secondOrder = _previousDenoised is not null && _previousIndex == index - 1 && t > 0 && alphaS > 0 && Sigmas[index - 1] < 1;
        if (secondOrder)
        {
            double lambdaPrev = Lambda(Sigmas[index - 1]), lambdaS = Lambda(s), lambdaT = Lambda(t);
            double h = lambdaT - lambdaS, hPrev = lambdaS - lambdaPrev;
            double r = hPrev / h;
            estimate = denoised.Times(1 + 1 / (2 * r)) - _previousDenoised!.Times(1 / (2 * r));
        }
        // x_t = (σ_t/σ_s)·x_s + (α_t − α_s·σ_t/σ_s)·D, the exact solution of the linear part.
        double sampleCoefficient = t / s;
        double estimateCoefficient = alphaT - alphaS * t / s;
        var next = sample.Times(sampleCoefficient).Plus(estimate.Times(estimateCoefficient));

        _previousDenoised?.Dispose();
        _previousDenoised = denoised.clone().DetachFromDisposeScope();
        _previousIndex = index;
        return next.MoveToOuterDisposeScope();
    }

    private static double Lambda(double sigma) => Math.Log((1 - sigma) / sigma);

    public override void Dispose()
    {
        _previousDenoised?.Dispose();
        _previousDenoised = null;
        base.Dispose();
    }
}
