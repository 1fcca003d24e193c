using Kinema.Media;
using Kinema.Pipelines;

namespace Kinema.Core.Tests.Pipelines;

public sealed class ConditionedPipelineTests : IDisposable
{
    private readonly KinemaModel _model = TinyModel.Create();

    public void Dispose() => _model.Dispose();

    private static List<RgbFrame> Clip(int count, int width = 32, int height = 48)
        => Enumerable.Range(0, count).Select(i =>
        {
            var frame = new RgbFrame(width, height);
            for (int p = 0; p < frame.Pixels.Length; p++) frame.Pixels[p] = (byte)(i * 13 + p % 97);
            return frame;
        }).ToList();

    [Fact]
    public void Forward_extension_keeps_the_source_untouched_and_appends_the_new_seconds()
    {
        var source = Clip(9);
        var result = new ExtendPipeline(_model).Generate(new ExtendRequest { Video = TinyModel.Request() with { Seconds = 1 }, Source = source, SourceFps = 8 });
        Assert.Equal(9 + 8, result.Frames.Count);
        for (int i = 0; i < source.Count; i++) Assert.Equal(source[i].Pixels, result.Frames[i].Pixels);
    }

    [Fact]
    public void Extending_a_source_off_the_size_grid_keeps_it_untouched_at_its_own_size()
    {
        var source = Clip(9, width: 40, height: 56);
        var request = TinyModel.Request() with { Width = null, Height = null };
        var result = new ExtendPipeline(_model).Generate(new ExtendRequest { Video = request, Source = source, SourceFps = 8 });
        Assert.Equal(9 + 8, result.Frames.Count);
        Assert.All(result.Frames, f => Assert.Equal((40, 56), (f.Width, f.Height)));
        Assert.Equal((40, 56), (result.Width, result.Height));
        for (int i = 0; i < source.Count; i++) Assert.Equal(source[i].Pixels, result.Frames[i].Pixels);
    }

    [Fact]
    public void A_long_extension_adds_one_default_length_window_at_a_time_each_under_the_next_seed()
    {
        // The tiny model's default is 1 s, so 3 s is past twice it and runs as three 1 s windows.
        var source = Clip(9);
        var pipeline = new ExtendPipeline(_model);
        var request = new ExtendRequest { Video = TinyModel.Request(seed: 7) with { Seconds = 3 }, Source = source, SourceFps = 8 };
        var windowed = pipeline.Generate(request);

        IReadOnlyList<RgbFrame> chained = source;
        for (int k = 0; k < 3; k++)
            chained = pipeline.Generate(request with { Source = chained, Video = TinyModel.Request(seed: 7 + k) with { Seconds = 1 } }).Frames;
        Assert.Equal(9 + 24, windowed.Frames.Count);
        Assert.Equal(chained.Count, windowed.Frames.Count);
        for (int i = 0; i < chained.Count; i++) Assert.Equal(chained[i].Pixels, windowed.Frames[i].Pixels);
        Assert.Equal(7, windowed.Metadata.Seed);
        Assert.Equal(33 / 8.0, windowed.Metadata.Seconds, 6);
    }

    [Theory]
    [InlineData(3.0, new[] { 8, 8, 8 })]
    [InlineData(3.25, new[] { 8, 8, 10 })]   // 2 frames left over are less than a latent frame: they join the last window
    [InlineData(3.5, new[] { 8, 8, 8, 4 })]
    public void A_long_extension_is_split_into_default_length_windows_without_a_sliver(double seconds, int[] expected)
        => Assert.Equal(expected, ExtendPipeline.WindowFrames(seconds, 8, _model.Config));

    [Fact]
    public void A_long_extension_with_a_remainder_under_one_latent_frame_adds_every_asked_frame()
    {
        var result = new ExtendPipeline(_model).Generate(new ExtendRequest { Video = TinyModel.Request() with { Seconds = 3.25 }, Source = Clip(9), SourceFps = 8 });
        Assert.Equal(9 + 26, result.Frames.Count);
    }

    [Fact]
    public void A_source_faster_than_the_model_allows_is_refused_by_its_frame_rate()
    {
        var error = Assert.Throws<InvalidRequestException>(() =>
            new ExtendPipeline(_model).Generate(new ExtendRequest { Video = TinyModel.Request(), Source = Clip(9), SourceFps = 60 }));
        Assert.Contains("60 fps", error.Message);
        Assert.Contains("at most 30 fps", error.Message);
    }

    [Fact]
    public void A_second_clip_at_another_frame_rate_is_retimed_to_the_first_clips()
    {
        // 16 frames at 16 fps last one second: at the first clip's 8 fps they become 8 frames.
        var request = new ConnectRequest { Video = TinyModel.Request() with { Seconds = 1 }, First = Clip(9), Second = Clip(16), Fps = 8, SecondFps = 16 };
        var result = new ConnectPipeline(_model).Generate(request);
        Assert.Equal(9 + 7 + 8, result.Frames.Count);
        var second = Clip(16);
        for (int i = 0; i < 8; i++) Assert.Equal(second[2 * i + 1].Pixels, result.Frames[16 + i].Pixels);
    }

    [Fact]
    public void Forward_extension_corrects_the_frames_next_to_the_seam_and_leaves_later_ones_as_decoded()
    {
        var source = Clip(9);
        var request = new ExtendRequest { Video = TinyModel.Request() with { Seconds = 2 }, Source = source, SourceFps = 8 };
        var corrected = new ExtendPipeline(_model).Generate(request).Frames;
        var raw = new ExtendPipeline(_model).Generate(request with { CorrectSeam = false }).Frames;
        Assert.NotEqual(raw[9].Pixels, corrected[9].Pixels);
        for (int i = 9 + 8; i < raw.Count; i++) Assert.Equal(raw[i].Pixels, corrected[i].Pixels);
    }

    [Fact]
    public void Backward_extension_puts_the_new_seconds_before_the_untouched_source()
    {
        var source = Clip(8);
        var result = new ExtendPipeline(_model).Generate(new ExtendRequest { Video = TinyModel.Request() with { Seconds = 1 }, Source = source, SourceFps = 8, Backward = true });
        Assert.Equal(8 + 8, result.Frames.Count);
        for (int i = 0; i < source.Count; i++) Assert.Equal(source[i].Pixels, result.Frames[8 + i].Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Backward_extension_of_a_clip_shorter_than_a_latent_frame_keeps_it_untouched(int frames)
    {
        var source = Clip(frames);
        var result = new ExtendPipeline(_model).Generate(new ExtendRequest { Video = TinyModel.Request() with { Seconds = 1 }, Source = source, SourceFps = 8, Backward = true });
        Assert.Equal(8 + frames, result.Frames.Count);
        for (int i = 0; i < frames; i++) Assert.Equal(source[i].Pixels, result.Frames[8 + i].Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_transition_into_a_clip_shorter_than_a_latent_frame_keeps_it_untouched(int frames)
    {
        var second = Clip(frames);
        var result = new ConnectPipeline(_model).Generate(new ConnectRequest { Video = TinyModel.Request() with { Seconds = 1 }, First = Clip(9), Second = second, Fps = 8 }).Frames;
        Assert.Equal(9 + 7 + frames, result.Count);
        for (int i = 0; i < frames; i++) Assert.Equal(second[i].Pixels, result[9 + 7 + i].Pixels);
    }

    [Fact]
    public void A_long_transition_at_a_frame_rate_too_low_for_two_windows_is_made_in_one()
    {
        // At 1 fps the tiny model's 1 s default is one frame, whose closing window would already be the whole transition.
        var request = new ConnectRequest { Video = TinyModel.Request() with { Seconds = 3 }, First = Clip(2), Second = Clip(2), Fps = 1, TransitionOnly = true };
        var reports = new List<GenerationProgress>();
        Assert.Equal(3, new CollectedProgress(reports).Run(p => new ConnectPipeline(_model).Generate(request, p)).Frames.Count);
        // One sampling run: every denoising report counts the request's own steps (windows would count more).
        int steps = VideoRequestValidator.Resolve(request.Video with { Width = 32, Height = 48, Fps = 1 }, _model.Config).Steps;
        Assert.All(reports.Where(r => r.Stage == GenerationStage.Denoising), r => Assert.Equal(steps, r.TotalSteps));
    }

    [Fact]
    public void Backward_extension_corrects_the_frames_next_to_the_seam_and_leaves_earlier_ones_as_decoded()
    {
        var source = Clip(8);
        var request = new ExtendRequest { Video = TinyModel.Request() with { Seconds = 2 }, Source = source, SourceFps = 8, Backward = true };
        var corrected = new ExtendPipeline(_model).Generate(request).Frames;
        var raw = new ExtendPipeline(_model).Generate(request with { CorrectSeam = false }).Frames;
        Assert.Equal(16 + 8, corrected.Count);
        Assert.NotEqual(raw[15].Pixels, corrected[15].Pixels);
        for (int i = 0; i <= 15 - 8; i++) Assert.Equal(raw[i].Pixels, corrected[i].Pixels);
    }

    [Fact]
    public void A_transition_is_corrected_next_to_both_clips_and_left_as_decoded_between()
    {
        var request = new ConnectRequest { Video = TinyModel.Request() with { Seconds = 3 }, First = Clip(9), Second = Clip(9), Fps = 8, TransitionOnly = true };
        var corrected = new ConnectPipeline(_model).Generate(request).Frames;
        var raw = new ConnectPipeline(_model).Generate(request with { CorrectSeams = false }).Frames;
        Assert.Equal(23, corrected.Count);   // the second clip starts 24 frames after the first ends
        Assert.NotEqual(raw[0].Pixels, corrected[0].Pixels);
        Assert.NotEqual(raw[22].Pixels, corrected[22].Pixels);
        for (int i = 8; i < 16; i++) Assert.Equal(raw[i].Pixels, corrected[i].Pixels);
    }

    [Fact]
    public void A_long_transition_extends_the_first_clip_and_connects_its_last_window_to_the_second()
    {
        // 3 s is past twice the tiny model's 1 s default: 2 s extend the first clip, the last 1 s leads into the second.
        var first = Clip(9);
        var second = Clip(9).Select(f => { var g = new RgbFrame(f.Width, f.Height); for (int p = 0; p < g.Pixels.Length; p++) g.Pixels[p] = (byte)(255 - f.Pixels[p]); return g; }).ToList();
        var request = new ConnectRequest { Video = TinyModel.Request() with { Seconds = 3 }, First = first, Second = second, Fps = 8 };
        var result = new ConnectPipeline(_model).Generate(request).Frames;
        var extended = new ExtendPipeline(_model).Generate(new ExtendRequest { Video = TinyModel.Request() with { Seconds = 2 }, Source = first, SourceFps = 8 }).Frames;
        Assert.Equal(9 + 23 + 9, result.Count);
        for (int i = 0; i < extended.Count; i++) Assert.Equal(extended[i].Pixels, result[i].Pixels);
        for (int i = 0; i < 9; i++) Assert.Equal(second[i].Pixels, result[9 + 23 + i].Pixels);
    }

    [Theory]
    [InlineData(1.0, 7)]   // one window: the second clip starts 8 frames after the first ends
    [InlineData(3.1, 27)]  // windowed: 25 frames asked, rounded up to 28 steps as a short transition's are
    public void A_transition_has_the_frames_the_static_count_announces(double seconds, int expected)
    {
        var request = new ConnectRequest { Video = TinyModel.Request() with { Seconds = seconds }, First = Clip(9), Second = Clip(9), Fps = 8, TransitionOnly = true };
        var resolved = VideoRequestValidator.Resolve(request.Video with { Width = 32, Height = 48, Fps = 8 }, _model.Config);
        Assert.Equal(expected, ConnectPipeline.TransitionFrames(resolved, _model.Config));
        Assert.Equal(expected, new ConnectPipeline(_model).Generate(request).Frames.Count);
        Assert.Equal(9 + expected + 18, ConnectPipeline.ResultFrames(resolved, _model.Config, firstFrames: 9, secondFrames: 9, secondFps: 4, transitionOnly: false));
    }

    [Fact]
    public void A_loop_keeps_its_head_and_corrects_only_the_regenerated_end()
    {
        var request = TinyModel.Request() with { Seconds = 2 };
        var corrected = new LoopPipeline(_model).Generate(request).Frames;
        var raw = new LoopPipeline(_model).Generate(request, correctSeams: false).Frames;
        Assert.Equal(raw.Count, corrected.Count);
        int end = 2 * 4 - 1;   // two latent frames, less the frame that stands where frame 0 comes round again
        for (int i = 0; i < raw.Count - end; i++) Assert.Equal(raw[i].Pixels, corrected[i].Pixels);
        Assert.NotEqual(raw[^1].Pixels, corrected[^1].Pixels);
    }

    [Fact]
    public void A_long_loop_keeps_a_windowed_generations_head_and_regenerates_only_its_end()
    {
        // 3 s is past twice the tiny model's 1 s default: 24 frames, whole latent steps already, from 7 latent frames.
        var request = TinyModel.Request() with { Seconds = 3 };
        var loop = new LoopPipeline(_model).Generate(request).Frames;
        var windowed = new StoryboardPipeline(_model).Generate(new StoryboardRequest
        {
            Cards = [new StoryboardCard(0, request.Prompt)], Seconds = 3, Settings = request,
        }).Frames;
        Assert.Equal(24, windowed.Count);
        Assert.Equal(24, loop.Count);
        int head = 1 + 4 * (7 - 2 - 1);   // the kept 5 latent frames; the last 2 are regenerated
        var differing = Enumerable.Range(0, 24).Where(i => !windowed[i].Pixels.AsSpan().SequenceEqual(loop[i].Pixels)).ToList();
        Assert.Equal(Enumerable.Range(head, 24 - head), differing);
    }

    [Fact]
    public void A_loop_with_more_wrap_context_regenerates_a_different_end_behind_the_same_head()
    {
        var request = TinyModel.Request() with { Seconds = 2 };
        var one = new LoopPipeline(_model).Generate(request, wrapLatentFrames: 1).Frames;
        var two = new LoopPipeline(_model).Generate(request, wrapLatentFrames: 2).Frames;
        Assert.Equal(one.Count, two.Count);
        int end = 2 * 4 - 1;
        for (int i = 0; i < one.Count - end; i++) Assert.Equal(one[i].Pixels, two[i].Pixels);
        Assert.NotEqual(one[^1].Pixels, two[^1].Pixels);
    }

    [Fact]
    public void A_loop_counts_both_denoising_passes_as_one_run_and_is_done_once_at_the_end()
    {
        // 2.4 s rounds up to 20 frames, past twice the tiny model's 1 s default, so the first pass is windowed and its
        // steps differ in number from the closing pass's: each pass fills its half of the run.
        var reports = new List<GenerationProgress>();
        new CollectedProgress(reports).Run(p => new LoopPipeline(_model).Generate(TinyModel.Request() with { Seconds = 2.4 }, p));
        var done = reports.Where(r => r.Stage == GenerationStage.Denoising).Select(r => (double)r.Step / r.TotalSteps).ToList();
        Assert.All(done.Zip(done.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"progress went from {pair.First:0.00} back to {pair.Second:0.00}"));
        Assert.Contains(0.5, done);
        Assert.Equal(1.0, done[^1]);
        Assert.Equal(GenerationStage.Done, reports[^1].Stage);
        Assert.Single(reports, r => r.Stage == GenerationStage.Done);
    }

    [Theory]
    [InlineData(2.0, 16)]     // 16 frames are whole latent steps: the loop is exactly as long as asked
    [InlineData(2.125, 20)]   // 17 frames round up to 20
    [InlineData(0.625, 8)]    // 5 frames, the shortest loop: frame 0 kept, two latent frames regenerated
    public void A_loop_is_the_asked_frames_rounded_up_to_whole_latent_steps(double seconds, int frames)
    {
        var request = TinyModel.Request() with { Seconds = seconds };
        var resolved = VideoRequestValidator.Resolve(request, _model.Config);
        Assert.Equal(frames, LoopPipeline.LoopFrames(resolved, _model.Config));
        Assert.Equal(frames, new LoopPipeline(_model).Generate(request).Frames.Count);
    }

    [Fact]
    public void A_loop_too_short_to_close_is_refused_naming_the_frames_it_needs()
    {
        var resolved = VideoRequestValidator.Resolve(TinyModel.Request() with { Seconds = 0.5 }, _model.Config);
        var error = Assert.Throws<InvalidRequestException>(() => LoopPipeline.LoopFrames(resolved, _model.Config));
        Assert.Contains("a loop needs at least 5 frames", error.Message);
    }

    [Theory]
    [InlineData(25, 2, 2)]   // a 4-second loop's head (7 latent frames) holds both chunks
    [InlineData(9, 3, 2)]    // 9 kept frames hold two whole chunks, not three
    [InlineData(5, 2, 1)]    // 5 kept frames hold one
    [InlineData(1, 2, 1)]    // a lone first frame still gives one latent of context
    public void The_wrap_context_is_capped_at_the_whole_chunks_of_the_kept_head(int keptPixels, int asked, int expected)
        => Assert.Equal(expected, ConditioningFrames.FollowingLatents(keptPixels, asked, stride: 4));

    [Fact]
    public void Edit_keeps_the_source_length_size_and_fps()
    {
        var result = new EditPipeline(_model).Generate(new EditRequest { Video = TinyModel.Request(), Source = Clip(10), SourceFps = 10, Strength = 0.5 });
        Assert.Equal(10, result.Frames.Count);
        Assert.Equal((32, 48, 10), (result.Width, result.Height, result.Fps));
    }

    [Fact]
    public void Edit_with_low_strength_stays_closer_to_the_unedited_reconstruction_than_high_strength()
    {
        var source = Clip(5);
        var low = new EditPipeline(_model).Generate(new EditRequest { Video = TinyModel.Request() with { Steps = 8 }, Source = source, Strength = 0.1 });
        var high = new EditPipeline(_model).Generate(new EditRequest { Video = TinyModel.Request() with { Steps = 8 }, Source = source, Strength = 1.0 });
        var zeroNoise = new EditPipeline(_model).Generate(new EditRequest { Video = TinyModel.Request() with { Steps = 8 }, Source = source, Strength = 0.01 });
        Assert.True(Distance(low, zeroNoise) < Distance(high, zeroNoise));
    }

    [Fact]
    public void An_edit_that_starts_below_the_guidance_min_sigma_runs_the_prompt_alone()
    {
        // Strength 0.4 starts at σ = 0.4, so with guidance from σ 0.5 up no step is guided: the result must be
        // exactly the unguided edit, negative prompt and all.
        var source = Clip(5);
        EditRequest Edit(VideoRequest video) => new() { Video = video with { Steps = 8 }, Source = source, Strength = 0.4 };
        var belowTheInterval = new EditPipeline(_model).Generate(Edit(TinyModel.Request() with { GuidanceMinSigma = 0.5, NegativePrompt = "blue cube" }));
        var unguided = new EditPipeline(_model).Generate(Edit(TinyModel.Request() with { Guidance = 1 }));
        Assert.True(belowTheInterval.Frames.Zip(unguided.Frames).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void A_long_edit_is_denoised_window_by_window_and_keeps_the_source_length()
    {
        // 24 frames (3 s) are 7 latent frames; the tiny model's 1 s window is 3 latent frames, two of them context, so
        // windows start at latent frames 0, 1, 2, 3 and 4, each running ceil(3 steps x 0.6) = 2 steps.
        var source = Clip(24);
        var reports = new List<GenerationProgress>();
        var request = new EditRequest { Video = TinyModel.Request(), Source = source, SourceFps = 8, Strength = 0.6 };
        var result = new CollectedProgress(reports).Run(p => new EditPipeline(_model).Generate(request, p));
        Assert.Equal(24, result.Frames.Count);
        var denoising = reports.Where(r => r.Stage == GenerationStage.Denoising).ToList();
        Assert.Equal(Enumerable.Range(1, 10), denoising.Select(r => r.Step));
        Assert.All(denoising, r => Assert.Equal(10, r.TotalSteps));
        Assert.Equal(result.Frames.Select(f => f.Pixels), new EditPipeline(_model).Generate(request).Frames.Select(f => f.Pixels));
    }

    /// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class CollectedProgress(List<GenerationProgress> reports) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => reports.Add(value);
        public VideoResult Run(Func<IProgress<GenerationProgress>, VideoResult> generation) => generation(this);
    }

    [Fact]
    public void Edit_strength_outside_0_to_1_is_rejected()
        => Assert.Contains("strength must be in (0, 1]", Assert.Throws<InvalidRequestException>(() =>
            new EditPipeline(_model).Generate(new EditRequest { Video = TinyModel.Request(), Source = Clip(5), Strength = 1.5 })).Message);

    [Fact]
    public void Animate_resizes_the_image_and_generates_the_asked_length()
    {
        var image = Clip(1, 80, 80)[0];
        var result = new AnimatePipeline(_model).Generate(new AnimateRequest { Video = TinyModel.Request() with { Width = null, Height = null }, FirstFrame = image });
        Assert.Equal(8, result.Frames.Count);
        Assert.Equal((80, 80), (result.Width, result.Height));
    }

    [Fact]
    public void Animate_needs_an_image()
        => Assert.Throws<InvalidRequestException>(() => new AnimatePipeline(_model).Generate(new AnimateRequest { Video = TinyModel.Request() }));

    [Fact]
    public void Animate_with_both_ends_runs_and_is_deterministic()
    {
        var ends = Clip(2);
        var request = new AnimateRequest { Video = TinyModel.Request(), FirstFrame = ends[0], LastFrame = ends[1] };
        var a = new AnimatePipeline(_model).Generate(request);
        var b = new AnimatePipeline(_model).Generate(request);
        Assert.All(a.Frames.Zip(b.Frames), p => Assert.Equal(p.First.Pixels, p.Second.Pixels));
    }

    private static double Distance(VideoResult a, VideoResult b)
        => a.Frames.Zip(b.Frames).Sum(p => p.First.Pixels.Zip(p.Second.Pixels).Sum(q => Math.Abs(q.First - q.Second)));
}
