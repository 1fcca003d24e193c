using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Training.Optim;

/// <summary>
/// Keeps a second copy of a module whose parameters trail the trained ones: ema ← ema + (1 − decay)(θ − ema).
/// Validation and export use the average, which samples better than the last noisy step.
/// </summary>
public sealed class ExponentialMovingAverage(nn.Module trained, nn.Module average, double decay)
{
    public nn.Module Average { get; } = average;
    public double Decay { get; } = decay;

    public void Update(long step)
    {
        // Short runs warm up the average so it is not dominated by the initialisation.
        double effective = Math.Min(Decay, (1.0 + step) / (10.0 + step));
        using var weight = tensor(1 - effective);   // one weight tensor for the whole update, held until it ends
        using var noGrad = no_grad();
        var source = trained.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in Average.named_parameters()) p.lerp_(source[name], weight);
    }

    /// <summary>Sets the average equal to the trained weights (at the start of a run).</summary>
    public void CopyFromTrained()
    {
        using var noGrad = no_grad();
        var source = trained.state_dict();
        foreach (var (name, t) in Average.state_dict()) t.copy_(source[name]);
    }
}
