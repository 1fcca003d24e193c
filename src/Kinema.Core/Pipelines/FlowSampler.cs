using Kinema.Runtime;
using System.Diagnostics;
using Kinema.Schedulers;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>
/// The denoising loop shared by every pipeline: from noise to clean latents under a text condition, with
/// classifier-free guidance and optional clean conditioning frames (image-to-video, extension, looping).
/// </summary>
public static class FlowSampler
{
    /// <summary>Latent frames supplied clean: <see cref="Latents"/> (1, C, T, H, W) where <see cref="Known"/>[t] is true.</summary>
    public sealed record Conditioning(Tensor Latents, bool[] Known);

    /// <summary>Seeded standard-normal noise, drawn on the CPU so a seed gives the same video on any device.</summary>
    public static Tensor Noise(long seed, long[] shape, Device device, ScalarType dtype)
    {
        var generator = new Generator((ulong)seed);
        using var cpu = randn(shape, dtype: ScalarType.Float32, generator: generator);
        generator.Dispose();
        return cpu.to(dtype).to(device);
    }

    /// <summary>
    /// Runs the solver over <paramref name="steps"/> levels starting from <paramref name="noise"/>; returns new
    /// latents in the noise's dtype. The ODE state and solver history stay in float32 whatever the model's
    /// precision: a bf16 state would round away most of each small step. Guidance applies only on the steps at noise
    /// levels σ ≥ the request's guidance min sigma (0: every step; see <see cref="GenerationDefaults.GuidanceMinSigma"/>).
    /// <paramref name="steps"/> overrides the request's (an edit runs only the steps below its strength).
    /// </summary>
    public static Tensor Sample(
        KinemaModel model,
        Tensor noise,
        TextConditioning text,
        ResolvedVideoRequest request,
        Conditioning? conditioning,
        IProgress<GenerationProgress>? progress,
        Stopwatch clock,
        CancellationToken cancellation,
        int? steps = null,
        double startSigma = 1.0)
        => Sample(model, noise, text, steps ?? request.Steps, request.Guidance, request.Shift, request.Sampler, conditioning, progress, clock,
            cancellation, startSigma, request.GuidanceMinSigma, request.Seed, request.Eta);

    /// <summary>The same with every setting spelled out; <paramref name="noiseSeed"/> seeds a stochastic solver's fresh noise.</summary>
    public static Tensor Sample(
        KinemaModel model,
        Tensor noise,
        TextConditioning text,
        int steps,
        double guidance,
        double shift,
        SamplerKind sampler,
        Conditioning? conditioning,
        IProgress<GenerationProgress>? progress,
        Stopwatch clock,
        CancellationToken cancellation,
        double startSigma = 1.0,
        double guidanceMinSigma = 0,
        long noiseSeed = 0,
        double eta = 1.0)
    {
        var sigmas = FlowMatchSchedule.Sigmas(steps, shift, startSigma);
        using var solver = FlowSolver.Create(sampler, sigmas, noiseSeed, eta);
        long frames = noise.shape[2];
        Tensor? knownMask = null, knownLatents = null;
        if (conditioning is not null)
        {
            if (conditioning.Known.Length != frames)
                throw new ArgumentException($"conditioning covers {conditioning.Known.Length} latent frames, the video has {frames}");
            knownMask = tensor(conditioning.Known, dtype: ScalarType.Bool).view(1, 1, frames, 1, 1).to(noise.device);
            knownLatents = conditioning.Latents.to(ScalarType.Float32).to(noise.device);
        }

        var modelType = model.Transformer.parameters().First().dtype;
        var x = noise.to(ScalarType.Float32).clone();
        try
        {
            for (int i = 0; i < steps; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                if (knownMask is not null) x = Replace(x, knownMask, knownLatents!);
                // Row 0 of the text batch is the prompt: an unguided step runs it alone.
                bool guided = text.Guided && sigmas[i] >= guidanceMinSigma;
                int batch = guided ? 2 : 1;
                var frameTimesteps = FrameTimesteps(solver.Timestep(i), conditioning, batch, noise.device);
                var input = (guided ? cat(new[] { x, x }, 0) : x).to(modelType);
                var (context, mask) = text.Guided && !guided ? (text.Context.narrow(0, 0, 1), text.Mask.narrow(0, 0, 1)) : (text.Context, text.Mask);
                var velocity = model.Transformer.Forward(input, frameTimesteps, context, mask).to(ScalarType.Float32);
                if (guided)
                {
                    var parts = velocity.chunk(2, 0);
                    velocity = parts[1].Plus((parts[0] - parts[1]).Times(guidance));
                }
                var next = solver.Step(x, velocity, i);
                x.Dispose();
                x = next.DetachFromDisposeScope();
                progress?.Report(new GenerationProgress(GenerationStage.Denoising, i + 1, steps, clock.Elapsed));
            }
            if (knownMask is not null) x = Replace(x, knownMask, knownLatents!);
            if (x.dtype == noise.dtype) return x;
            var result = x.to(noise.dtype).DetachFromDisposeScope();
            x.Dispose();
            return result;
        }
        catch
        {
            x.Dispose();
            throw;
        }
        finally
        {
            knownMask?.Dispose();
            knownLatents?.Dispose();
        }
    }

    private static Tensor Replace(Tensor x, Tensor knownMask, Tensor knownLatents)
    {
        var replaced = where(knownMask, knownLatents, x).DetachFromDisposeScope();
        x.Dispose();
        return replaced;
    }

    private static Tensor FrameTimesteps(double timestep, Conditioning? conditioning, int batch, Device device)
    {
        if (conditioning is null) return HeldScalars.Filled(new long[] { batch }, timestep, ScalarType.Float32, device);
        var perFrame = conditioning.Known.Select(k => k ? 0f : (float)timestep).ToArray();
        return tensor(perFrame, dtype: ScalarType.Float32).to(device).view(1, -1).expand(batch, -1);
    }
}
