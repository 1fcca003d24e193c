using Kinema.Runtime;
using Kinema.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

public class OptimTests
{
    public OptimTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void AdamW_first_step_matches_the_formula()
    {
        // After one step m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g), plus decoupled decay.
        var weight = nn.Parameter(tensor(new float[,] { { 1.0f, -2.0f } }));
        weight.grad = tensor(new float[,] { { 0.5f, -4.0f } });
        using var adam = new AdamW([("w", weight)], weightDecay: 0.1);
        adam.Step(0.01);
        var values = weight.data<float>().ToArray();
        Assert.Equal(1.0f * (1 - 0.001f) - 0.01f, values[0], 5);
        Assert.Equal(-2.0f * (1 - 0.001f) + 0.01f, values[1], 5);
    }

    [Fact]
    public void AdamW_does_not_decay_vectors()
    {
        var bias = nn.Parameter(tensor(new float[] { 1.0f }));
        bias.grad = tensor(new float[] { 0.0f });
        using var adam = new AdamW([("b", bias)], weightDecay: 0.5);
        adam.Step(0.1);
        Assert.Equal(1.0f, bias.data<float>()[0], 6);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_decays_to_the_minimum()
    {
        var schedule = new LearningRateSchedule(1.0, WarmupSteps: 10, TotalSteps: 110, MinimumRatio: 0.1);
        Assert.Equal(0.1, schedule.At(0), 9);
        Assert.Equal(1.0, schedule.At(9), 9);
        Assert.Equal(0.55, schedule.At(60), 9);                                 // halfway through the cosine
        Assert.Equal(0.1, schedule.At(110), 9);
        Assert.True(schedule.At(30) > schedule.At(50));
    }

    [Fact]
    public void Ema_moves_the_average_towards_the_trained_weights()
    {
        using var trained = nn.Linear(2, 1);
        using var average = nn.Linear(2, 1);
        var ema = new ExponentialMovingAverage(trained, average, decay: 0.5);
        ema.CopyFromTrained();
        using (no_grad()) trained.weight!.add_(1.0f);
        ema.Update(step: 1000);                                                 // decay 0.5 once warmed up
        using var expected = trained.weight!.detach() - 0.5f;
        Assert.True(average.weight!.allclose(expected, rtol: 1e-6, atol: 1e-6));
    }
}
