using System.Text.Json;
using Kinema.Media;
using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.Pipelines;
using Kinema.Wan.Vae;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Parity;

/// <summary>
/// End-to-end sampling against diffusers' own <c>WanPipeline.__call__</c> (tools/wan-fixtures/make_sampling_fixture.py):
/// the tiny DiT and UniPC scheduler of the wan-parity folder, 3 steps with classifier-free guidance from given
/// latents and given prompt / negative-prompt embeddings, and <c>WanImageToVideoPipeline</c>'s Wan 2.2 TI2V path (a
/// first frame encoded by the VAE and kept clean at t = 0). Ours runs <see cref="WanDenoiser.Denoise"/>, the loop
/// <see cref="WanPipeline"/> itself runs, with the folder's transformer and scheduler loaded by the production loaders.
/// </summary>
[Trait("Category", "WanParity")]
public class WanSamplingParityTests
{
    private const string Fixture = "sampling_3step.safetensors";

    // Tolerance, float32 throughout: the DiT test's rtol 1e-4 / atol 1e-5, per step. Measured on the committed
    // fixture the latents agree to 3.6e-7 after step 0, 8.9e-7 after step 1 and 2.1e-6 after step 2 (max |x| ≈ 3.7;
    // a few float32 ulps: reassociated sums, compounding a little through the solver), so the bound leaves about 100×
    // headroom for another machine's kernels. It must stay tight: guidance g = 5 amplifies the DiT's error by up
    // to 2g + 1, but a wrong guidance, timestep, shift or solver order moves the latents far more — a 1 % change of
    // g moves them by 3.9e-3, ten times the largest deviation allowed (see A_one_percent_guidance_change_is_detected).
    private const double Rtol = 1e-4, Atol = 1e-5;

    public WanSamplingParityTests() => TorchRuntime.EnsureLoaded();

    private sealed record Case(string Name, int Steps, double GuidanceScale, bool ExpandTimesteps, bool FirstFrame, double FlowShift, long[] Timesteps);

    private static List<Case> Cases()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(ParityFixtures.Require("sampling_3step.json")));
        return json.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("name").GetString()!,
            c.GetProperty("steps").GetInt32(),
            c.GetProperty("guidance_scale").GetDouble(),
            c.GetProperty("expand_timesteps").GetBoolean(),
            c.GetProperty("first_frame").GetBoolean(),
            c.GetProperty("flow_shift").GetDouble(),
            c.GetProperty("timesteps").EnumerateArray().Select(t => t.GetInt64()).ToArray())).ToList();
    }

    /// <summary>Runs the production loop on a case's inputs; <paramref name="afterStep"/> sees the latents after each step.</summary>
    private static Tensor Sample(WanModelFolder folder, ShardedSafeTensors io, Case c, double guidance, Action<int, Tensor>? afterStep = null,
        bool? expandTimesteps = null)
    {
        using var transformer = folder.LoadTransformer(ScalarType.Float32);
        using var scheduler = folder.CreateScheduler();
        // The pipeline's default shift is the folder's scheduler flow_shift, which is what diffusers uses.
        Assert.Equal(c.FlowShift, scheduler.Config.FlowShift);
        var noise = io.Load($"{c.Name}.latents");
        var before = noise.clone();
        var clean = c.FirstFrame ? EncodeFirstFrame(io, c) : null;
        var result = WanDenoiser.Denoise(transformer, scheduler, noise, io.Load($"{c.Name}.prompt_embeds"), io.Load($"{c.Name}.negative_prompt_embeds"),
            c.Steps, guidance, scheduler.Config.FlowShift, expandTimesteps ?? c.ExpandTimesteps, clean, afterStep);
        Assert.Equal(c.Timesteps, scheduler.Schedule!.Timesteps);
        Assert.True(noise.equal(before).all().item<bool>(), "the loop modified its initial latents");
        return result;
    }

    /// <summary>
    /// The image of a first-frame case through the production path (<see cref="WanPipeline.FirstFrameLatent"/>, the
    /// VAE the reference used), checked against the condition diffusers' prepare_latents built from the same image.
    /// </summary>
    private static Tensor EncodeFirstFrame(ShardedSafeTensors io, Case c)
    {
        var pixels = io.Load($"{c.Name}.image", ScalarType.Byte);                       // (H, W, 3) RGB bytes
        var image = new RgbFrame((int)pixels.shape[1], (int)pixels.shape[0], pixels.data<byte>().ToArray());
        using var vae = AutoencoderKLWan.Load(TextVaeFixtures.Require("vae22"));
        var latent = WanPipeline.FirstFrameLatent(vae, image, CPU);
        // The VAE's own tolerance (TextVaeParityTests): 1e-4 of the largest value.
        var expected = io.Load($"{c.Name}.condition");
        double scale = Math.Max(1.0, expected.abs().max().item<float>());
        ParityFixtures.AssertClose(expected, latent, 0, 1e-4 * scale, $"{c.Name}: encoded first frame");
        return latent;
    }

    [WanParityFact("wan-parity/" + Fixture)]
    public void Three_step_guided_sampling_matches_diffusers_WanPipeline()
    {
        var folder = WanModelFolder.Open(ParityFixtures.Root);
        using var io = ShardedSafeTensors.Open(ParityFixtures.Require(Fixture));
        var cases = Cases();
        Assert.Contains(cases, c => !c.ExpandTimesteps && c.GuidanceScale > 1);
        Assert.Contains(cases, c => c.ExpandTimesteps && c.FirstFrame);
        foreach (var c in cases)
        {
            using var scope = NewDisposeScope();
            using var noGrad = inference_mode();
            int seen = 0;
            var output = Sample(folder, io, c, c.GuidanceScale, (i, x) =>
            {
                ParityFixtures.AssertClose(io.Load($"{c.Name}.step.{i}"), x, Rtol, Atol, $"{c.Name}: latents after step {i}");
                seen++;
            });
            Assert.Equal(c.Steps, seen);
            ParityFixtures.AssertClose(io.Load($"{c.Name}.output"), output, Rtol, Atol, $"{c.Name}: sampled latents");
        }
    }

    [WanParityFact("wan-parity/" + Fixture)]
    public void A_one_percent_guidance_change_is_detected()
    {
        var folder = WanModelFolder.Open(ParityFixtures.Root);
        using var io = ShardedSafeTensors.Open(ParityFixtures.Require(Fixture));
        var c = Cases().First(c => !c.ExpandTimesteps && c.GuidanceScale > 1);
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var output = Sample(folder, io, c, c.GuidanceScale * 1.01);
        var reference = io.Load($"{c.Name}.output");
        Assert.False(allclose(output, reference, Rtol, Atol),
            $"guidance {c.GuidanceScale * 1.01} instead of {c.GuidanceScale} still passes the tolerance: it cannot tell guidance apart");
    }

    /// <summary>
    /// The image case must be able to fail on the per-token timesteps: the same clean first frame with one shared
    /// timestep for all tokens (the first frame's tokens at t instead of 0) lands outside the tolerance.
    /// </summary>
    [WanParityFact("wan-parity/" + Fixture)]
    public void The_clean_first_frame_needs_its_tokens_at_t_zero()
    {
        var folder = WanModelFolder.Open(ParityFixtures.Root);
        using var io = ShardedSafeTensors.Open(ParityFixtures.Require(Fixture));
        var c = Cases().First(c => c.FirstFrame);
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var output = Sample(folder, io, c, c.GuidanceScale, expandTimesteps: false);
        var reference = io.Load($"{c.Name}.output");
        double difference = (output - reference).abs().max().item<float>();
        Assert.False(allclose(output, reference, Rtol, Atol),
            $"one shared timestep still passes the tolerance (max |difference| {difference:G3}): the test cannot see the first frame's t = 0");
    }
}
