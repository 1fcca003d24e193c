using Kinema.Pipelines;
using TorchSharp;

namespace Kinema.Core.Tests.Pipelines;

public sealed class TextToVideoPipelineTests : IDisposable
{
    private readonly KinemaModel _model = TinyModel.Create();
    private TextToVideoPipeline Pipeline => new(_model);

    public void Dispose() => _model.Dispose();

    private static bool SameFrames(VideoResult a, VideoResult b)
        => a.Frames.Count == b.Frames.Count && a.Frames.Zip(b.Frames).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels));

    /// <summary>Largest pixel difference: two formulas of the same step agree only up to float32 rounding.</summary>
    private static int LargestPixelDifference(VideoResult a, VideoResult b)
        => a.Frames.Zip(b.Frames).Max(p => p.First.Pixels.Zip(p.Second.Pixels).Max(q => Math.Abs(q.First - q.Second)));

    [Fact]
    public void Output_has_exactly_the_asked_frame_count_and_size()
    {
        var result = Pipeline.Generate(TinyModel.Request() with { Seconds = 2, Fps = 8 });
        Assert.Equal(16, result.Frames.Count);
        Assert.All(result.Frames, f => Assert.Equal((32, 48), (f.Width, f.Height)));
        Assert.Equal(16, result.Metadata.FrameCount);
    }

    [Fact]
    public void Same_seed_and_settings_give_bit_identical_frames()
        => Assert.True(SameFrames(Pipeline.Generate(TinyModel.Request()), Pipeline.Generate(TinyModel.Request())));

    [Fact]
    public void A_different_seed_gives_different_frames()
        => Assert.False(SameFrames(Pipeline.Generate(TinyModel.Request(seed: 1)), Pipeline.Generate(TinyModel.Request(seed: 2))));

    [Fact]
    public void The_prompt_changes_the_video()
        => Assert.False(SameFrames(Pipeline.Generate(TinyModel.Request()), Pipeline.Generate(TinyModel.Request() with { Prompt = "a blue cube" })));

    [Fact]
    public void The_negative_prompt_changes_a_guided_video()
        => Assert.False(SameFrames(Pipeline.Generate(TinyModel.Request()), Pipeline.Generate(TinyModel.Request() with { NegativePrompt = "blue cube" })));

    [Fact]
    public void Guidance_one_skips_the_unconditional_branch_and_ignores_the_negative_prompt()
    {
        var a = Pipeline.Generate(TinyModel.Request() with { Guidance = 1 });
        var b = Pipeline.Generate(TinyModel.Request() with { Guidance = 1, NegativePrompt = "blue cube" });
        Assert.True(SameFrames(a, b));
    }

    [Fact]
    public void Guiding_only_the_high_noise_steps_differs_from_guiding_every_step_and_from_none()
    {
        var everyStep = Pipeline.Generate(TinyModel.Request());
        var highNoise = Pipeline.Generate(TinyModel.Request() with { GuidanceMinSigma = 0.9 }); // of three steps, only the first (σ = 1)
        var none = Pipeline.Generate(TinyModel.Request() with { Guidance = 1 });
        Assert.False(SameFrames(highNoise, everyStep));
        Assert.False(SameFrames(highNoise, none));
        Assert.Equal(0.9, highNoise.Metadata.GuidanceMinSigma);
    }

    [Fact]
    public void Both_samplers_run()
    {
        var euler = Pipeline.Generate(TinyModel.Request() with { Steps = 6, Sampler = Kinema.Schedulers.SamplerKind.Euler });
        var dpm = Pipeline.Generate(TinyModel.Request() with { Steps = 6, Sampler = Kinema.Schedulers.SamplerKind.DpmPlusPlus2M });
        Assert.Equal("euler", euler.Metadata.Sampler);
        Assert.False(SameFrames(euler, dpm));
    }

    [Fact]
    public void The_ancestral_sampler_is_reproducible_by_seed_and_differs_from_the_ode_samplers()
    {
        var request = TinyModel.Request() with { Steps = 6, Sampler = Kinema.Schedulers.SamplerKind.EulerAncestral };
        var first = Pipeline.Generate(request);
        var again = Pipeline.Generate(request);
        var euler = Pipeline.Generate(request with { Sampler = Kinema.Schedulers.SamplerKind.Euler });
        Assert.Equal("euler-a", first.Metadata.Sampler);
        Assert.True(SameFrames(first, again));
        Assert.False(SameFrames(first, euler));
    }

    [Fact]
    public void The_ancestral_samplers_eta_is_honoured_and_recorded()
    {
        var request = TinyModel.Request() with { Steps = 6, Sampler = Kinema.Schedulers.SamplerKind.EulerAncestral };
        var full = Pipeline.Generate(request);
        var partial = Pipeline.Generate(request with { Eta = 0.5 });
        var none = Pipeline.Generate(request with { Eta = 0 });
        var euler = Pipeline.Generate(request with { Sampler = Kinema.Schedulers.SamplerKind.Euler });
        Assert.Equal(1.0, full.Metadata.Eta);
        Assert.Equal(0.5, partial.Metadata.Eta);
        Assert.Null(euler.Metadata.Eta); // the ODE samplers draw no noise: nothing to record
        Assert.False(SameFrames(full, partial));
        Assert.False(SameFrames(partial, euler));
        Assert.InRange(LargestPixelDifference(none, euler), 0, 1); // no fresh noise: the DDIM step, which for rectified flow is Euler's
        Assert.Equal(euler.Frames.Count, none.Frames.Count);
    }

    [Fact]
    public void Progress_reports_every_step_then_decoding_then_done()
    {
        var reports = new List<GenerationProgress>();
        Pipeline.Generate(TinyModel.Request() with { Steps = 4 }, new SynchronousProgress(reports.Add));
        var steps = reports.Where(r => r.Stage == GenerationStage.Denoising).Select(r => r.Step).ToList();
        Assert.Equal([1, 2, 3, 4], steps);
        Assert.Contains(reports, r => r.Stage == GenerationStage.Decoding);
        Assert.Equal(GenerationStage.Done, reports[^1].Stage);
    }

    [Fact]
    public void Cancellation_stops_generation()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Stage == GenerationStage.Denoising) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Pipeline.Generate(TinyModel.Request() with { Steps = 10 }, progress, cts.Token));
    }

    [Fact]
    public async Task Async_generation_runs_on_another_thread_and_matches_the_synchronous_result()
    {
        int callerThread = Environment.CurrentManagedThreadId, workerThread = -1;
        var progress = new SynchronousProgress(_ => workerThread = Environment.CurrentManagedThreadId);
        var asyncResult = await Pipeline.GenerateAsync(TinyModel.Request(), progress);
        Assert.NotEqual(callerThread, workerThread);
        Assert.True(SameFrames(asyncResult, Pipeline.Generate(TinyModel.Request())));
    }

    [Fact]
    public void Repeated_generations_leave_no_live_tensors_behind()
    {
        Pipeline.Generate(TinyModel.Request());
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) Pipeline.Generate(TinyModel.Request(seed: i));
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void Unknown_prompt_words_are_reported_in_the_metadata()
    {
        var result = Pipeline.Generate(TinyModel.Request() with { Prompt = "a purple ball bounces" });
        Assert.Equal(["purple"], result.Metadata.UnknownWords.ToArray());
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need reports in order, on the generating thread.</summary>
    private sealed class SynchronousProgress(Action<GenerationProgress> onReport) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onReport(value);
    }
}
