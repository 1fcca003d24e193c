using Kinema.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Schedulers;

/// <summary>The noise levels and model timesteps of one sampling run.</summary>
/// <param name="Sigmas">N + 1 levels as float32 (the reference stores them so), the last one 0 (or σ_min).</param>
/// <param name="Timesteps">N integer timesteps the model sees: ⌊σ_i · num_train_timesteps⌋ (truncated, as int64 conversion does).</param>
public sealed record FlowSchedule(float[] Sigmas, long[] Timesteps)
{
    /// <summary>Number of steps N.</summary>
    public int Steps => Timesteps.Length;
}

/// <summary>
/// UniPC multistep sampling on Wan's flow-matching ODE, as diffusers' <c>UniPCMultistepScheduler</c> with
/// <c>prediction_type=flow_prediction</c> and <c>use_flow_sigmas=True</c> ("UniPC: A Unified
/// Predictor-Corrector Framework for Fast Sampling of Diffusion Models", Zhao et al. 2023).
///
/// With x_σ = (1 − σ)·x₀ + σ·ε, α = 1 − σ and λ = ln α − ln σ, each <see cref="Step"/> (i) turns the velocity
/// into a data prediction m_i = x_i − σ_i·v, (ii) corrects the sample the model was just run on with UniC
/// (using m_i, from the second step on), and (iii) predicts the next sample with UniP of order
/// min(solver_order, steps done + 1, steps left when lower_order_final). The solver is deterministic.
///
/// One instance runs one sampling loop: call <see cref="SetTimesteps"/>, then <see cref="Step"/> once per
/// timestep. It owns its history tensors; dispose it (or call <see cref="SetTimesteps"/> again) to free them.
/// </summary>
public sealed class UniPCMultistepScheduler : IDisposable
{
    private readonly Tensor?[] _dataPredictions;   // m_{i-order+1} … m_i, newest last (diffusers' model_outputs)
    private Tensor? _lastSample;                    // the sample the last predictor started from
    private int _lowerOrderCount;
    private int _thisOrder;

    public UniPCMultistepScheduler(UniPCSchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _dataPredictions = new Tensor?[config.SolverOrder];
    }

    public UniPCSchedulerConfig Config { get; }

    /// <summary>The current schedule; null until <see cref="SetTimesteps"/>.</summary>
    public FlowSchedule? Schedule { get; private set; }

    /// <summary>Index of the next step (0 … N).</summary>
    public int StepIndex { get; private set; }

    /// <summary>
    /// The schedule diffusers builds for <paramref name="steps"/> and <paramref name="flowShift"/>: σ = linspace(1,
    /// 1/T, N+1)[:N] (in float64), shifted σ' = sσ/(1 + (s−1)σ), the first level nudged below 1 by 1e-6 when it
    /// is within 1e-6 of 1 (so ln σ stays finite), timesteps = int64(σ'·T), then σ' cast to float32 with the final
    /// level appended. This is diffusers' grid; the original Wan repository's grid differs slightly (see wan-spec §5.2).
    /// </summary>
    public static FlowSchedule ComputeSchedule(int steps, double flowShift, int numTrainTimesteps = 1000, string finalSigmasType = "zero")
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be >= 1, got {steps}");
        if (!(flowShift > 0)) throw new ArgumentOutOfRangeException(nameof(flowShift), $"flow_shift must be > 0, got {flowShift}");
        // numpy.linspace(start, stop, N + 1): i·step + start with step = (stop − start)/N, in float64.
        double start = 1.0, stop = 1.0 / numTrainTimesteps, step = (stop - start) / steps;
        var shifted = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            double sigma = i * step + start;
            shifted[i] = flowShift * sigma / (1 + (flowShift - 1) * sigma);
        }
        const double Nudge = 1e-6;
        if (Math.Abs(shifted[0] - 1) < Nudge) shifted[0] -= Nudge;

        var timesteps = new long[steps];
        var sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            timesteps[i] = (long)(shifted[i] * numTrainTimesteps); // C# casts truncate toward zero, like int64 conversion
            sigmas[i] = (float)shifted[i];
        }
        sigmas[steps] = finalSigmasType switch
        {
            "zero" => 0f,
            "sigma_min" => sigmas[steps - 1],
            _ => throw new ArgumentException($"final_sigmas_type must be 'zero' or 'sigma_min', got '{finalSigmasType}'", nameof(finalSigmasType)),
        };
        return new FlowSchedule(sigmas, timesteps);
    }

    /// <summary>Prepares a run of <paramref name="steps"/> steps and clears the solver history.</summary>
    /// <param name="flowShift">Overrides the config's flow_shift (the original Wan code passes the shift per run).</param>
    public FlowSchedule SetTimesteps(int steps, double? flowShift = null)
    {
        Schedule = ComputeSchedule(steps, flowShift ?? Config.FlowShift, Config.NumTrainTimesteps, Config.FinalSigmasType);
        ClearHistory();
        return Schedule;
    }

    /// <summary>
    /// One solver step: from the model's velocity <paramref name="modelOutput"/> at <paramref name="sample"/>
    /// (the latents at <c>Timesteps[StepIndex]</c>) to the latents at the next level. Returns a new tensor
    /// in <paramref name="sample"/>'s dtype; the caller owns it.
    /// </summary>
    public Tensor Step(Tensor modelOutput, Tensor sample)
    {
        var schedule = Schedule ?? throw new InvalidOperationException("call SetTimesteps before Step");
        if (StepIndex >= schedule.Steps)
            throw new InvalidOperationException($"all {schedule.Steps} steps are done; call SetTimesteps to start a new run");
        if (!modelOutput.shape.SequenceEqual(sample.shape))
            throw new ArgumentException($"model output [{string.Join(", ", modelOutput.shape)}] and sample [{string.Join(", ", sample.shape)}] differ in shape");

        using var scope = NewDisposeScope();
        int i = StepIndex;
        // Data prediction x₀ = x − σ·v (diffusers computes σ·v in the model output's dtype).
        var dataPrediction = sample - modelOutput.Times(schedule.Sigmas[i]);

        bool useCorrector = i > 0 && !Config.DisableCorrector.Contains(i - 1) && _lastSample is not null;
        if (useCorrector) sample = Correct(dataPrediction, _lastSample!, sample, _thisOrder);

        // Shift the history: the newest data prediction goes last.
        _dataPredictions[0]?.Dispose();
        for (int k = 0; k < _dataPredictions.Length - 1; k++) _dataPredictions[k] = _dataPredictions[k + 1];
        _dataPredictions[^1] = dataPrediction.DetachFromDisposeScope();

        int order = Config.LowerOrderFinal ? Math.Min(Config.SolverOrder, schedule.Steps - i) : Config.SolverOrder;
        _thisOrder = Math.Min(order, _lowerOrderCount + 1); // warm-up: no more history than steps taken

        var previous = _lastSample;
        _lastSample = ReferenceEquals(sample, previous) ? sample : sample.alias().DetachFromDisposeScope();
        if (previous is not null && !ReferenceEquals(previous, _lastSample)) previous.Dispose();

        var next = Predict(_lastSample, _thisOrder);
        if (_lowerOrderCount < Config.SolverOrder) _lowerOrderCount++;
        StepIndex++;
        return next.MoveToOuterDisposeScope();
    }

    /// <summary>Frees the solver history.</summary>
    public void Dispose() => ClearHistory();

    private void ClearHistory()
    {
        for (int k = 0; k < _dataPredictions.Length; k++)
        {
            _dataPredictions[k]?.Dispose();
            _dataPredictions[k] = null;
        }
        _lastSample?.Dispose();
        _lastSample = null;
        _lowerOrderCount = 0;
        _thisOrder = 0;
        StepIndex = 0;
    }

    private double Sigma(int index) => Schedule!.Sigmas[index];

    /// <summary>λ = ln α − ln σ with α = 1 − σ; +∞ at σ = 0 (the final step), which the formulas below tolerate.</summary>
    private static double Lambda(double sigma) => Math.Log(1 - sigma) - Math.Log(sigma);

    /// <summary>eᵡ − 1 without cancellation for small x (.NET has no expm1).</summary>
    private static double ExpM1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    /// <summary>
    /// The B(h) quantities shared by predictor and corrector for a step from level s to level t:
    /// hh = −h, φ₁ = e^{hh} − 1, B(h), and the right-hand side b_k = g_k·k!/B(h) of UniPC's order conditions
    /// (g₁ = φ₁/hh − 1, g_{k+1} = g_k/hh − 1/(k+1)!).
    /// </summary>
    private (double Hh, double Phi1, double Bh, double[] B) Coefficients(double h, int order)
    {
        double hh = -h;
        double phi1 = ExpM1(hh);
        double bh = Config.SolverType == "bh1" ? hh : ExpM1(hh);
        var b = new double[order];
        double phiK = phi1 / hh - 1, factorial = 1;
        for (int k = 1; k <= order; k++)
        {
            b[k - 1] = phiK * factorial / bh;
            factorial *= k + 1;
            phiK = phiK / hh - 1 / factorial;
        }
        return (hh, phi1, bh, b);
    }

    /// <summary>UniP: x_t = (σ_t/σ_s)·x − α_t·φ₁·m₀ − α_t·B(h)·Σ ρ_k·D_k, from level i to i + 1.</summary>
    private Tensor Predict(Tensor x, int order)
    {
        int i = StepIndex;
        double sigmaT = Sigma(i + 1), sigmaS = Sigma(i);
        double alphaT = 1 - sigmaT;
        double lambdaS = Lambda(sigmaS);
        double h = Lambda(sigmaT) - lambdaS;
        var m0 = _dataPredictions[^1]!;

        var ratios = new double[order - 1];
        var differences = new Tensor[order - 1];
        for (int k = 1; k < order; k++)
        {
            ratios[k - 1] = (Lambda(Sigma(i - k)) - lambdaS) / h;
            differences[k - 1] = (_dataPredictions[^(k + 1)]! - m0).DividedBy(ratios[k - 1]);
        }
        var (_, phi1, bh, b) = Coefficients(h, order);

        var result = x.Times(sigmaT / sigmaS) - m0.Times(alphaT * phi1);
        if (order >= 2)
        {
            // Order 2 fixes ρ = 0.5 (as the reference does); higher orders solve the first order−1 conditions.
            double[] rhos = order == 2 ? [0.5] : Solve(Vandermonde(ratios, order - 1), b[..(order - 1)]);
            var correction = differences[0].Times(rhos[0]);
            for (int k = 1; k < differences.Length; k++) correction = correction.Plus(differences[k].Times(rhos[k]));
            result = result - correction.Times(alphaT * bh);
        }
        return result.to(x.dtype);
    }

    /// <summary>UniC: re-does the step from level i − 1 to i with the new data prediction <paramref name="current"/> included.</summary>
    private Tensor Correct(Tensor current, Tensor lastSample, Tensor thisSample, int order)
    {
        int i = StepIndex;
        double sigmaT = Sigma(i), sigmaS = Sigma(i - 1);
        double alphaT = 1 - sigmaT;
        double lambdaS = Lambda(sigmaS);
        double h = Lambda(sigmaT) - lambdaS;
        var m0 = _dataPredictions[^1]!;

        var ratios = new double[order];
        var differences = new Tensor[order - 1];
        for (int k = 1; k < order; k++)
        {
            ratios[k - 1] = (Lambda(Sigma(i - (k + 1))) - lambdaS) / h;
            differences[k - 1] = (_dataPredictions[^(k + 1)]! - m0).DividedBy(ratios[k - 1]);
        }
        ratios[order - 1] = 1;
        var (_, phi1, bh, b) = Coefficients(h, order);
        double[] rhos = order == 1 ? [0.5] : Solve(Vandermonde(ratios, order), b);

        var result = lastSample.Times(sigmaT / sigmaS) - m0.Times(alphaT * phi1);
        var correction = (current - m0).Times(rhos[^1]);
        for (int k = 0; k < differences.Length; k++) correction = correction.Plus(differences[k].Times(rhos[k]));
        result = result - correction.Times(alphaT * bh);
        return result.to(thisSample.dtype);
    }

    /// <summary>Rows are the powers 0 … n−1 of the first n ratios (the reference's R).</summary>
    private static double[,] Vandermonde(double[] ratios, int n)
    {
        var r = new double[n, n];
        for (int row = 0; row < n; row++)
            for (int col = 0; col < n; col++) r[row, col] = Math.Pow(ratios[col], row);
        return r;
    }

    /// <summary>Gaussian elimination with partial pivoting for the tiny (≤ 3×3) order-condition systems.</summary>
    private static double[] Solve(double[,] a, double[] rhs)
    {
        int n = rhs.Length;
        var m = (double[,])a.Clone();
        var x = (double[])rhs.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < n; row++) if (Math.Abs(m[row, col]) > Math.Abs(m[pivot, col])) pivot = row;
            if (pivot != col)
            {
                for (int k = 0; k < n; k++) (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            for (int row = col + 1; row < n; row++)
            {
                double factor = m[row, col] / m[col, col];
                for (int k = col; k < n; k++) m[row, k] -= factor * m[col, k];
                x[row] -= factor * x[col];
            }
        }
        for (int row = n - 1; row >= 0; row--)
        {
            double sum = x[row];
            for (int k = row + 1; k < n; k++) sum -= m[row, k] * x[k];
            x[row] = sum / m[row, row];
        }
        return x;
    }
}
