namespace Kinema.Pipelines;

/// <summary>
/// Progress of one window of a generation made window by window: its denoising steps count as part of all the windows'
/// steps, and only the whole generation reports Done.
/// </summary>
internal sealed class WindowProgress(IProgress<GenerationProgress> inner, int window, int windows) : IProgress<GenerationProgress>
{
    public void Report(GenerationProgress value)
    {
        if (value.Stage == GenerationStage.Done) return;
        inner.Report(value.Stage == GenerationStage.Denoising
            ? value with { Step = window * value.TotalSteps + value.Step, TotalSteps = windows * value.TotalSteps }
            : value);
    }
}

/// <summary>Passes each report on as <paramref name="map"/> rewrites it; a null drops it.</summary>
internal sealed class MappedProgress(IProgress<GenerationProgress> inner, Func<GenerationProgress, GenerationProgress?> map) : IProgress<GenerationProgress>
{
    public void Report(GenerationProgress value)
    {
        if (map(value) is { } mapped) inner.Report(mapped);
    }
}
