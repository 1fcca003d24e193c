using Kinema.Runtime;
using Kinema.Wan.Schedulers;
using Kinema.Wan.Transformer;
using static TorchSharp.torch;

namespace Kinema.Wan.Pipelines;

/// <summary>
/// The denoising loop of <see cref="WanPipeline"/> (diffusers' <c>WanPipeline.__call__</c>, step 6) on a loaded
/// transformer and scheduler: for each UniPC timestep, the velocity at the current latents with the prompt's
/// context and, when guided, with the negative prompt's (two batch-1 passes), combined as
/// <c>v_uncond + g·(v_cond − v_uncond)</c>, then one scheduler step. The pipeline calls it after encoding the
/// prompts; the parity tests call it with given latents and embeddings, so they exercise this very loop.
/// </summary>
internal static class WanDenoiser
{
    /// <param name="transformer">The DiT (any compute dtype; its output is taken to Float32).</param>
    /// <param name="scheduler">A scheduler for this run only: its schedule and history are reset here.</param>
    /// <param name="noise">(1, z, T, H, W) initial latents in Float32, on the transformer's device. Not modified.</param>
    /// <param name="context">(1, Lt, text_dim) prompt embeddings.</param>
    /// <param name="negativeContext">Negative prompt embeddings; null runs without classifier-free guidance.</param>
    /// <param name="steps">Number of UniPC steps.</param>
    /// <param name="guidance">Guidance scale g (used only with <paramref name="negativeContext"/>).</param>
    /// <param name="shift">Flow shift of the schedule.</param>
    /// <param name="expandTimesteps">Wan 2.2 TI2V: one timestep per token (t = 0 on a clean first frame's tokens).</param>
    /// <param name="clean">TI2V only: the (1, z, 1, H, W) latent of a first frame kept clean, or null.</param>
    /// <param name="afterStep">Called after step i with the latents the scheduler returned (valid only during the call).</param>
    /// <returns>The final latents (Float32), in the caller's dispose scope.</returns>
    public static Tensor Denoise(WanTransformer3D transformer, UniPCMultistepScheduler scheduler, Tensor noise, Tensor context,
        Tensor? negativeContext, int steps, double guidance, double shift, bool expandTimesteps, Tensor? clean = null,
        Action<int, Tensor>? afterStep = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(context);
        var schedule = scheduler.SetTimesteps(steps, shift);
        var (gridFrames, gridHeight, gridWidth) = transformer.TokenGrid(noise.shape[2], noise.shape[3], noise.shape[4]);
        long tokensPerFrame = gridHeight * gridWidth;
        var device = noise.device;

        // The ODE state stays Float32 whatever the transformer's dtype: a bf16 state would round away small steps.
        var x = noise.alias();
        for (int i = 0; i < schedule.Steps; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            x = Step(i);
            // The step's activations are freed by now; without this, glibc keeps much of them (blocks under its
            // 32 MB mmap threshold) and the process grew by about 1 GB a step at 416x240x5 (bench wan-step).
            NativeHeap.Trim();
            afterStep?.Invoke(i, x);
        }
        return clean is null ? x : KeepFirstFrameClean(x, clean);

        Tensor Step(int i)
        {
            using var step = NewDisposeScope();
            long t = schedule.Timesteps[i];
            var input = clean is null ? x : KeepFirstFrameClean(x, clean);
            Tensor timesteps;
            if (expandTimesteps)
            {
                // Wan 2.2 TI2V: one timestep per token; the clean first frame's tokens are at t = 0.
                timesteps = HeldScalars.Filled(new long[] { 1, gridFrames * tokensPerFrame }, (float)t, ScalarType.Float32, device);
                if (clean is not null) timesteps.narrow(1, 0, tokensPerFrame).zero_();
            }
            else
            {
                timesteps = HeldScalars.Filled(new long[] { 1 }, (float)t, ScalarType.Float32, device);
            }
            var velocity = transformer.Forward(input, timesteps, context).to(ScalarType.Float32);
            if (negativeContext is not null)
            {
                var unconditional = transformer.Forward(input, timesteps, negativeContext).to(ScalarType.Float32);
                velocity = unconditional.Plus((velocity - unconditional).Times(guidance));
            }
            var next = scheduler.Step(velocity, x).MoveToOuterDisposeScope();
            x.Dispose(); // the scheduler keeps its own reference to what it still needs
            return next;
        }
    }

    // diffusers' (1 − first_frame_mask)·condition + first_frame_mask·latents: latent frame 0 is the encoded image.
    private static Tensor KeepFirstFrameClean(Tensor latents, Tensor clean)
    {
        var result = latents.clone();
        result.narrow(2, 0, 1).copy_(clean);
        return result;
    }
}
