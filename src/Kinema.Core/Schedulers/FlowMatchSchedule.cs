namespace Kinema.Schedulers;

/// <summary>The solvers Kinema ships.</summary>
public enum SamplerKind
{
    /// <summary>First-order Euler on the flow ODE (equivalently DDIM for rectified flow).</summary>
    Euler,
    /// <summary>DPM-Solver++ 2M: second-order multistep in data prediction, converges in fewer steps.</summary>
    DpmPlusPlus2M,
}

/// <summary>
/// Rectified-flow noise levels. A sample at level σ is x_σ = (1 − σ)·x₀ + σ·ε and the model predicts the
/// velocity v = ε − x₀. Levels go from 1 (pure noise) to 0 (data), uniformly spaced and then shifted
/// towards the noisy end by σ' = sσ / (1 + (s − 1)σ), because at larger sizes more of the structure is
/// decided at high noise (SD3, Wan use shifts of 3–8).
/// </summary>
public static class FlowMatchSchedule
{
    /// <summary>The timestep the model sees for a noise level (σ · 1000).</summary>
    public const double TimestepScale = 1000.0;

    public static double Shift(double sigma, double shift) => shift * sigma / (1 + (shift - 1) * sigma);

    /// <summary><paramref name="steps"/> + 1 levels from 1 down to exactly 0.</summary>
    public static double[] Sigmas(int steps, double shift, double start = 1.0)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be >= 1, got {steps}");
        if (!(shift > 0)) throw new ArgumentOutOfRangeException(nameof(shift), $"shift must be > 0, got {shift}");
        if (!(start > 0 && start <= 1)) throw new ArgumentOutOfRangeException(nameof(start), $"start must be in (0, 1], got {start}");
        var sigmas = new double[steps + 1];
        for (int i = 0; i <= steps; i++)
        {
            double uniform = start * (1.0 - (double)i / steps);
            sigmas[i] = Shift(uniform, shift);
        }
        sigmas[steps] = 0;
        return sigmas;
    }
}
