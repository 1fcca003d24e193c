using Kinema.Runtime;
using Kinema.Wan.Schedulers;
using Kinema.Wan.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests;

public class SamplingLoopTests
{
    public SamplingLoopTests() => TorchRuntime.EnsureLoaded();

    private static void Sample(WanTransformer3D model, int steps)
    {
        using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan21);
        var schedule = scheduler.SetTimesteps(steps);
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var context = randn(1, 5, 16);
        var latents = randn(new long[] { 1, 4, 2, 4, 4 });
        foreach (long t in schedule.Timesteps)
        {
            var velocity = model.Forward(latents, tensor(new[] { t }), context);
            latents = scheduler.Step(velocity, latents);
        }
        Assert.True(latents.isfinite().all().item<bool>());
    }

    [Fact]
    public void Repeated_sampling_loops_leave_no_live_tensors_behind()
    {
        manual_seed(5);
        using var model = new WanTransformer3D(WanTransformerConfig.Tiny);
        model.eval();
        Sample(model, 3);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) Sample(model, 4);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
