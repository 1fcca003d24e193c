using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.Schedulers;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Parity;

/// <summary>
/// Where the reference fixtures live: <c>tests/Kinema.Wan.Tests/Fixtures/wan-parity</c>, or the folder named by
/// <c>KINEMA_WAN_FIXTURES</c>. They are produced by <c>tools/wan-fixtures/make_fixtures.py</c> from the real
/// diffusers code; a missing file fails the test (never skips it), saying how to make it.
/// </summary>
internal static class ParityFixtures
{
    public static string Root => WanParity.WanParityFolder;

    /// <summary>The path of fixture <paramref name="name"/>, or a failure that says how to generate it.</summary>
    public static string Require(string name)
    {
        string path = Path.Combine(Root, name);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"Wan parity fixture '{name}' is missing (looked in {Root}). These tests compare against the real diffusers code and cannot "
                + "pass without it: run tools/wan-fixtures/make_fixtures.py --diffusers <checkout> (see tools/wan-fixtures/README.md) and commit "
                + "the output, or point KINEMA_WAN_FIXTURES at it.", path);
        }
        return path;
    }

    public static void AssertClose(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], reference [{string.Join(", ", expected.shape)}]");
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float64);
        var a = actual.to(ScalarType.Float64);
        double maxDiff = (e - a).abs().max().item<double>();
        double scale = e.abs().max().item<double>();
        Assert.True(allclose(a, e, rtol, atol), $"{what}: max |diff| {maxDiff:E3} (reference max |x| {scale:E3}, rtol {rtol}, atol {atol})");
    }
}

[Trait("Category", "WanParity")]
public class WanParityTests
{
    private static readonly (int Steps, double Shift)[] Schedules = [(50, 5.0), (50, 3.0), (30, 12.0), (10, 1.0), (7, 8.0), (2, 3.0), (1, 5.0)];
    private static readonly (string Name, int Steps, double Shift)[] Loops = [("loop3", 3, 5.0), ("loop6", 6, 3.0)];

    public WanParityTests() => TorchRuntime.EnsureLoaded();

    private static string ScheduleKey(int steps, double shift) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"steps{steps}_shift{shift:0.###}");

    /// <summary>The same stand-in velocity as make_fixtures.py's fake_velocity.</summary>
    private static Tensor FakeVelocity(Tensor x, long t) => x * 0.5 - x.tanh() * 0.3 + (t / 1000.0) * 0.2;

    private static (Kinema.Wan.Transformer.WanTransformer3D Model, ShardedSafeTensors Io) LoadDit(ScalarType dtype)
    {
        ParityFixtures.Require("model_index.json");
        ParityFixtures.Require("transformer");
        var io = ShardedSafeTensors.Open(ParityFixtures.Require("dit_io.safetensors"));
        return (WanModelFolder.Open(ParityFixtures.Root).LoadTransformer(dtype), io);
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void Dit_forward_matches_diffusers_with_scalar_timesteps()
    {
        var (model, io) = LoadDit(ScalarType.Float32);
        using (model)
        using (io)
        using (var scope = NewDisposeScope())
        using (var noGrad = inference_mode())
        {
            var hidden = io.Load("hidden_states");
            var timestep = io.Load("timestep");
            var context = io.Load("encoder_hidden_states");
            var (temb, projection, text) = model.ConditionEmbedder.Forward(timestep, context);
            ParityFixtures.AssertClose(io.Load("temb"), temb, 1e-5, 1e-6, "temb (time MLP output)");
            ParityFixtures.AssertClose(io.Load("timestep_proj"), projection, 1e-5, 1e-6, "timestep_proj (6·D modulation input)");
            ParityFixtures.AssertClose(io.Load("text_embedded"), text, 1e-5, 1e-6, "text embedder output");
            ParityFixtures.AssertClose(io.Load("output"), model.Forward(hidden, timestep, context), 1e-4, 1e-5, "DiT output, scalar timesteps");
        }
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void Dit_forward_matches_diffusers_with_TI2V_per_token_timesteps()
    {
        var (model, io) = LoadDit(ScalarType.Float32);
        using (model)
        using (io)
        using (var scope = NewDisposeScope())
        using (var noGrad = inference_mode())
        {
            var output = model.Forward(io.Load("hidden_states"), io.Load("timestep_per_token"), io.Load("encoder_hidden_states"));
            ParityFixtures.AssertClose(io.Load("output_per_token"), output, 1e-4, 1e-5, "DiT output, per-token timesteps (clean first frame)");
        }
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void Dit_bf16_forward_is_close_to_diffusers_bf16()
    {
        var (model, io) = LoadDit(ScalarType.BFloat16);
        using (model)
        using (io)
        using (var scope = NewDisposeScope())
        using (var noGrad = inference_mode())
        {
            var output = model.Forward(io.Load("hidden_states"), io.Load("timestep"), io.Load("encoder_hidden_states")).to(ScalarType.Float32);
            var reference = io.Load("output_bf16");
            // bf16 keeps ~3 significant digits; kernels differ between machines, so compare at bf16 resolution.
            double scale = reference.abs().max().item<float>();
            ParityFixtures.AssertClose(reference, output, 0, 0.03 * scale, "DiT output, bf16 weights");
        }
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void Schedules_match_diffusers_set_timesteps()
    {
        using var schedules = ShardedSafeTensors.Open(ParityFixtures.Require("scheduler_schedules.safetensors"));
        foreach (var (steps, shift) in Schedules)
        {
            string key = ScheduleKey(steps, shift);
            var ours = UniPCMultistepScheduler.ComputeSchedule(steps, shift);
            using var sigmas = schedules.Load(key + ".sigmas");
            using var timesteps = schedules.Load(key + ".timesteps");
            Assert.Equal(timesteps.data<long>().ToArray(), ours.Timesteps);
            float[] reference = sigmas.data<float>().ToArray();
            Assert.Equal(reference.Length, ours.Sigmas.Length);
            for (int i = 0; i < reference.Length; i++)
            {
                // Both sides round the same float64 value to float32; allow one ulp for a differently ordered float64 op.
                Assert.True(Math.Abs(reference[i] - ours.Sigmas[i]) <= 1.2e-7 * Math.Abs(reference[i]),
                    $"{key}: sigma {i} is {ours.Sigmas[i]:R}, diffusers {reference[i]:R}");
            }
        }
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void Scheduler_config_written_by_diffusers_loads()
    {
        ParityFixtures.Require("scheduler");
        var config = WanModelFolder.Open(ParityFixtures.Root).LoadSchedulerConfig();
        Assert.Equal("flow_prediction", config.PredictionType);
        Assert.True(config.UseFlowSigmas);
        Assert.Equal(3.0, config.FlowShift);
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void One_step_matches_diffusers()
    {
        using var step = ShardedSafeTensors.Open(ParityFixtures.Require("scheduler_step.safetensors"));
        using var scheduler = WanModelFolder.Open(ParityFixtures.Root).CreateScheduler();
        scheduler.SetTimesteps(10, flowShift: 3.0);
        using var scope = NewDisposeScope();
        var next = scheduler.Step(step.Load("model_output"), step.Load("sample"));
        ParityFixtures.AssertClose(step.Load("prev_sample"), next, 1e-5, 1e-6, "UniPC step 0");
    }

    [WanParityFact("wan-parity/manifest.json")]
    public void Sampling_loops_match_diffusers_step_by_step()
    {
        using var loops = ShardedSafeTensors.Open(ParityFixtures.Require("scheduler_loop.safetensors"));
        foreach (var (name, steps, shift) in Loops)
        {
            using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan21 with { FlowShift = shift });
            var schedule = scheduler.SetTimesteps(steps);
            using var scope = NewDisposeScope();
            var x = loops.Load($"{name}.initial");
            for (int i = 0; i < steps; i++)
            {
                var v = FakeVelocity(x, schedule.Timesteps[i]);
                ParityFixtures.AssertClose(loops.Load($"{name}.model_output.{i}"), v, 1e-5, 1e-6, $"{name} model output {i} (fake velocity)");
                x = scheduler.Step(v, x);
                ParityFixtures.AssertClose(loops.Load($"{name}.sample.{i}"), x, 1e-5, 1e-5, $"{name} sample after step {i}");
            }
        }
    }
}
