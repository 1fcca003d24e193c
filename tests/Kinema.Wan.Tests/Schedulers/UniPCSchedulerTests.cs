using Kinema.Runtime;
using Kinema.Wan.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Schedulers;

public class UniPCSchedulerTests
{
    public UniPCSchedulerTests() => TorchRuntime.EnsureLoaded();

    // Expected grids computed outside the code under test (a Python transcription of diffusers'
    // set_timesteps in plain float64); the last five of the 50-step shift-5 list are also quoted in wan-spec.md §5.2.
    private static readonly long[] Steps50Shift5 =
    [
        999, 995, 991, 987, 982, 978, 973, 968, 963, 957, 952, 946, 940, 934, 927, 921, 914, 906, 899, 890, 882, 873, 864, 854, 844,
        833, 822, 810, 797, 783, 769, 754, 738, 720, 702, 682, 661, 638, 613, 586, 556, 524, 489, 450, 407, 359, 305, 244, 175, 96,
    ];

    private static readonly long[] Steps50Shift3 =
    [
        999, 993, 986, 979, 971, 964, 956, 948, 940, 931, 923, 914, 904, 895, 885, 875, 864, 853, 842, 830, 818, 805, 792, 779, 765,
        750, 735, 719, 702, 685, 667, 648, 628, 607, 586, 563, 539, 514, 487, 459, 429, 398, 365, 329, 292, 251, 208, 162, 113, 60,
    ];

    [Fact]
    public void Schedule_of_50_steps_at_shift_5_matches_diffusers()
    {
        var schedule = UniPCMultistepScheduler.ComputeSchedule(50, 5.0);
        Assert.Equal(Steps50Shift5, schedule.Timesteps);
        Assert.Equal(51, schedule.Sigmas.Length);
        Assert.Equal(0.9999989867210388f, schedule.Sigmas[0]);   // 1 nudged down by 1e-6, as float32
        Assert.Equal(0.9959390759468079f, schedule.Sigmas[1]);
        Assert.Equal(0.09677836298942566f, schedule.Sigmas[49]);
        Assert.Equal(0f, schedule.Sigmas[50]);
    }

    [Fact]
    public void Schedule_of_50_steps_at_shift_3_matches_diffusers()
    {
        var schedule = UniPCMultistepScheduler.ComputeSchedule(50, 3.0);
        Assert.Equal(Steps50Shift3, schedule.Timesteps);
        Assert.Equal(0.060405388474464417f, schedule.Sigmas[49]);
    }

    [Fact]
    public void Shift_1_is_the_plain_linear_grid_and_larger_shifts_stay_noisier()
    {
        var linear = UniPCMultistepScheduler.ComputeSchedule(10, 1.0);
        Assert.Equal([999L, 900, 800, 700, 600, 500, 400, 300, 200, 100], linear.Timesteps);
        Assert.Equal(0.9000999927520752f, linear.Sigmas[1]);
        Assert.Equal([999L, 979, 952, 914, 857, 762, 573], UniPCMultistepScheduler.ComputeSchedule(7, 8.0).Timesteps);

        var mild = UniPCMultistepScheduler.ComputeSchedule(20, 2.0);
        var strong = UniPCMultistepScheduler.ComputeSchedule(20, 6.0);
        for (int i = 1; i < 20; i++)
        {
            Assert.True(strong.Sigmas[i] > mild.Sigmas[i], $"step {i}: shift 6 σ {strong.Sigmas[i]} should exceed shift 2 σ {mild.Sigmas[i]}");
            Assert.True(mild.Sigmas[i] < mild.Sigmas[i - 1]);
        }
    }

    [Fact]
    public void Set_timesteps_uses_the_config_shift_unless_overridden_and_final_sigma_type()
    {
        using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan22TI2V);
        Assert.Equal(Steps50Shift5, scheduler.SetTimesteps(50).Timesteps);
        Assert.Equal(Steps50Shift3, scheduler.SetTimesteps(50, flowShift: 3.0).Timesteps);
        var sigmaMin = UniPCMultistepScheduler.ComputeSchedule(10, 1.0, finalSigmasType: "sigma_min");
        Assert.Equal(sigmaMin.Sigmas[9], sigmaMin.Sigmas[10]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void With_the_exact_velocity_every_step_lands_on_the_straight_path(int steps)
    {
        // For x_σ = (1 − σ)·x₀ + σ·ε the velocity ε − x₀ is constant, every data prediction is exactly x₀, and
        // UniPC's exponential-integrator update reproduces the path: x_{i+1} = (1 − σ_{i+1})·x₀ + σ_{i+1}·ε.
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x0 = randn(2, 3, 4);
        var noise = randn(2, 3, 4);
        using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan21);
        var schedule = scheduler.SetTimesteps(steps);
        var sample = x0 * (1 - schedule.Sigmas[0]) + noise * schedule.Sigmas[0];
        for (int i = 0; i < steps; i++)
        {
            sample = scheduler.Step(noise - x0, sample);
            float sigma = schedule.Sigmas[i + 1];
            var expected = x0 * (1 - sigma) + noise * sigma;
            Assert.True(allclose(sample, expected, rtol: 1e-5, atol: 1e-5), $"step {i}: max diff {(sample - expected).abs().max().item<float>()}");
        }
        Assert.Equal(steps, scheduler.StepIndex);
    }

    [Fact]
    public void Second_order_solver_tracks_the_exact_gaussian_flow_far_better_than_euler()
    {
        // Data x₀ ~ N(0, s²) per element: the ideal velocity is linear in x, v = x·(σ − (1−σ)s²)/Var(σ) with
        // Var(σ) = (1−σ)²s² + σ², and the exact ODE solution rescales the start by √(Var(0)/Var(σ₀)).
        const double s = 0.5;
        static double Variance(double sigma) => (1 - sigma) * (1 - sigma) * s * s + sigma * sigma;
        using var scope = NewDisposeScope();
        manual_seed(11);
        var start = randn(4096, dtype: ScalarType.Float64);
        const int steps = 50; // the last step is first order (lower_order_final), so few steps are dominated by it
        var schedule = UniPCMultistepScheduler.ComputeSchedule(steps, 3.0);
        var exact = start * Math.Sqrt(Variance(0) / Variance(schedule.Sigmas[0]));
        Tensor Velocity(Tensor x, double sigma) => x * ((sigma - (1 - sigma) * s * s) / Variance(sigma));

        using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan21);
        scheduler.SetTimesteps(steps);
        var unipc = start;
        var euler = start;
        for (int i = 0; i < steps; i++)
        {
            unipc = scheduler.Step(Velocity(unipc, schedule.Sigmas[i]), unipc);
            euler = euler + Velocity(euler, schedule.Sigmas[i]) * ((double)schedule.Sigmas[i + 1] - schedule.Sigmas[i]);
        }
        double unipcError = (unipc - exact).abs().max().item<double>() / exact.abs().max().item<double>();
        double eulerError = (euler - exact).abs().max().item<double>() / exact.abs().max().item<double>();
        Assert.True(unipcError < 1e-2, $"UniPC relative error {unipcError}");
        Assert.True(unipcError < eulerError / 8, $"UniPC {unipcError} vs Euler {eulerError}");
    }

    [Fact]
    public void Misuse_is_reported()
    {
        using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan21);
        using var x = zeros(2);
        Assert.Contains("SetTimesteps", Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, x)).Message);
        scheduler.SetTimesteps(1);
        scheduler.Step(x, x).Dispose();
        Assert.Contains("all 1 steps are done", Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, x)).Message);
        Assert.Throws<NotSupportedException>(() => new UniPCMultistepScheduler(new UniPCSchedulerConfig { PredictionType = "epsilon" }));
    }

    [Fact]
    public void Scheduler_config_round_trips_and_rejects_unsupported_settings_by_name()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("scheduler_config.json");
        File.WriteAllText(path, UniPCSchedulerConfig.Wan22TI2V.ToJson());
        Assert.Equal(5.0, UniPCSchedulerConfig.Load(path).FlowShift);
        File.WriteAllText(path, """{"_class_name": "UniPCMultistepScheduler", "prediction_type": "flow_prediction", "use_flow_sigmas": true, "use_karras_sigmas": true, "solver_p": null}""");
        var error = Assert.Throws<NotSupportedException>(() => UniPCSchedulerConfig.Load(path));
        Assert.Contains("karras", error.Message);
        Assert.Contains("scheduler_config.json", error.Message);
    }
}
