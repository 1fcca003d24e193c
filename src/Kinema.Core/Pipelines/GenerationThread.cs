namespace Kinema.Pipelines;

/// <summary>
/// Runs a whole generation on one dedicated thread. TorchSharp's dispose scopes and libtorch's grad and
/// inference modes are thread-local, so a generation must never hop threads at an await.
/// </summary>
public static class GenerationThread
{
    public static Task<T> Run<T>(Func<T> generation, CancellationToken cancellation)
        => Task.Factory.StartNew(generation, cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}

/// <summary>Builds <see cref="GenerationMetadata"/> the same way for every pipeline.</summary>
internal static class PipelineMetadata
{
    public static GenerationMetadata For(KinemaModel model, ResolvedVideoRequest r, int frameCount, System.Diagnostics.Stopwatch clock)
        => new(model.Name, r.Prompt, r.NegativePrompt, r.Seed, r.Steps, r.Guidance, Schedulers.SamplerNames.ToName(r.Sampler), r.Shift,
            (double)frameCount / r.Fps, r.Fps, r.Width, r.Height, frameCount, model.Tokenizer.UnknownWords(r.Prompt), clock.Elapsed.TotalSeconds,
            r.GuidanceMinSigma, r.EffectiveEta);
}
