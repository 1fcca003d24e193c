namespace Kinema.Training.Optim;

/// <summary>Linear warm-up to the peak, then cosine decay to <see cref="MinimumRatio"/> of it at the last step.</summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double MinimumRatio = 0.1)
{
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return Peak * (MinimumRatio + (1 - MinimumRatio) * cosine);
    }
}
