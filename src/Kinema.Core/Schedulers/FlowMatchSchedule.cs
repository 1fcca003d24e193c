using System.Text.Json.Serialization;

namespace Kinema.Schedulers;

/// <summary>The solvers Kinema ships.</summary>
public enum SamplerKind
{
    /// <summary>First-order Euler on the flow ODE (equivalently DDIM for rectified flow).</summary>
    [JsonStringEnumMemberName("euler")]
    Euler,
    /// <summary>DPM-Solver++ 2M: second-order multistep in data prediction, converges in fewer steps.</summary>
    [JsonStringEnumMemberName("dpm++2m")]
    DpmPlusPlus2M,
    /// <summary>
    /// Ancestral Euler: every step re-noises the denoised estimate with fresh seeded noise instead of following the ODE,
    /// so errors of earlier steps are not carried forward (see <see cref="EulerAncestralFlowSolver"/>).
    /// </summary>
    [JsonStringEnumMemberName("euler-a")]
    EulerAncestral,
}

/// <summary>Sampler names as users type them.</summary>
public static class SamplerNames
{
    public static readonly IReadOnlyList<string> All = ["euler", "dpm++2m", "euler-a"];

    public static string ToName(this SamplerKind kind) => kind switch
    {
        SamplerKind.Euler => "euler",
        SamplerKind.EulerAncestral => "euler-a",
        _ => "dpm++2m",
    };

    public static SamplerKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "euler" => SamplerKind.Euler,
        "dpm++2m" or "dpmpp2m" or "dpm++" or "dpm-solver++" => SamplerKind.DpmPlusPlus2M,
        "euler-a" or "euler_a" or "euler-ancestral" => SamplerKind.EulerAncestral,
        _ => throw new ArgumentException($"unknown sampler '{name}'; allowed: {string.Join(", ", All)}"),
    };
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
