using Kinema.Media;
using Kinema.Pipelines;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Pipelines;

public sealed class StoryboardPipelineTests : IDisposable
{
    private readonly KinemaModel _model = TinyModel.Create();

    public void Dispose() => _model.Dispose();

    // Windows of two new latent frames (8 frames); a shot's first window also makes the one-frame first latent: 9 frames.
    private static StoryboardRequest Board(double seconds, params StoryboardCard[] cards)
        => new() { Cards = cards, Seconds = seconds, Settings = TinyModel.Request(), WindowSeconds = 1 };

    private static double MaxDifference(RgbFrame a, RgbFrame b)
        => a.Pixels.Zip(b.Pixels, (x, y) => Math.Abs(x - y)).Max();

    [Fact]
    public void A_long_video_has_exactly_seconds_times_fps_frames_at_the_requested_size()
    {
        var result = new StoryboardPipeline(_model).Generate(Board(5, new StoryboardCard(0, "a red ball")));
        Assert.Equal(40, result.Frames.Count);
        Assert.All(result.Frames, f => Assert.Equal((32, 48), (f.Width, f.Height)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void A_window_that_is_not_a_positive_number_of_seconds_is_refused(double window)
    {
        var error = Assert.Throws<InvalidRequestException>(() =>
            new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball")) with { WindowSeconds = window }));
        Assert.Contains("window must be a number of seconds > 0", error.Message);
    }

    [Fact]
    public void The_first_window_is_the_text_to_video_clip_of_the_same_seed()
    {
        var video = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"))).Frames;
        var clip = new TextToVideoPipeline(_model).Generate(TinyModel.Request() with { Prompt = "a red ball", Seconds = 9 / 8.0 }).Frames;
        Assert.Equal(9, clip.Count);
        for (int i = 0; i < clip.Count; i++) Assert.True(MaxDifference(clip[i], video[i]) <= 1, $"frame {i} differs");
    }

    [Fact]
    public void Later_windows_continue_from_the_latents_so_the_decode_has_no_seam_correction_to_do()
    {
        // Windows join in one causal decode: a frame depends only on latents up to its own, so the frames of the first
        // two windows do not change when the video goes on for longer.
        var shorter = new StoryboardPipeline(_model).Generate(Board(17 / 8.0, new StoryboardCard(0, "a red ball"))).Frames;
        var longer = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"))).Frames;
        Assert.Equal(17, shorter.Count);
        for (int i = 0; i < shorter.Count; i++) Assert.Equal(shorter[i].Pixels, longer[i].Pixels);
    }

    [Fact]
    public void A_later_card_changes_the_video_from_the_first_latent_frame_at_or_after_its_start()
    {
        var one = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"))).Frames;
        var two = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"), new StoryboardCard(2, "a blue cube"))).Frames;
        // The card starts at frame 16; the first card's windows end at frame 17, a latent frame boundary.
        for (int i = 0; i < 17; i++) Assert.Equal(one[i].Pixels, two[i].Pixels);
        Assert.Contains(Enumerable.Range(17, 15), i => !one[i].Pixels.AsSpan().SequenceEqual(two[i].Pixels));
    }

    [Fact]
    public void A_card_with_an_image_starts_a_new_shot_on_that_image_at_its_exact_start()
    {
        var image = new RgbFrame(32, 48);
        for (int p = 0; p < image.Pixels.Length; p++) image.Pixels[p] = (byte)(p * 7 % 251);
        var one = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"))).Frames;
        var cut = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"), new StoryboardCard(17 / 8.0, "a blue cube", image))).Frames;

        Assert.Equal(32, cut.Count);
        // The card starts at frame 17, where the first shot's second window ends.
        for (int i = 0; i < 17; i++) Assert.Equal(one[i].Pixels, cut[i].Pixels);
        // The new shot begins on the image as the VAE gives it back.
        RgbFrame roundTrip;
        using (inference_mode())
        using (var scope = NewDisposeScope())
            roundTrip = FrameConversion.ToFrames(_model.Vae.Decode(ConditioningFrames.Encode(_model, [image])))[0];
        Assert.True(MaxDifference(roundTrip, cut[17]) <= 1);
        Assert.False(one[17].Pixels.AsSpan().SequenceEqual(cut[17].Pixels));
        // Off a window boundary the previous shot is cut at the card's frame (12), not at its latent frame's end.
        var offBoundary = new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball"), new StoryboardCard(1.5, "a blue cube", image))).Frames;
        Assert.Equal(32, offBoundary.Count);
        Assert.True(MaxDifference(roundTrip, offBoundary[12]) <= 1);
    }

    [Fact]
    public void A_storyboard_that_starts_on_an_image_takes_its_size_when_none_is_asked()
    {
        var image = new RgbFrame(48, 32);
        var request = Board(2, new StoryboardCard(0, "a red ball", image)) with { Settings = TinyModel.Request() with { Width = null, Height = null } };
        var frames = new StoryboardPipeline(_model).Generate(request).Frames;
        Assert.All(frames, f => Assert.Equal((48, 32), (f.Width, f.Height)));
    }

    [Fact]
    public void A_cancelled_storyboard_stops_with_OperationCanceledException()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => new StoryboardPipeline(_model).Generate(Board(4, new StoryboardCard(0, "a red ball")), cancellation: cancelled.Token));
    }
}
