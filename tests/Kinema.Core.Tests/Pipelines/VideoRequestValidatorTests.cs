using Kinema.Pipelines;

namespace Kinema.Core.Tests.Pipelines;

public class VideoRequestValidatorTests
{
    private static readonly ModelConfig Config = TinyModel.Config();

    private static string Problem(VideoRequest request)
        => Assert.Throws<InvalidRequestException>(() => VideoRequestValidator.Resolve(request, Config)).Message;

    [Fact]
    public void Negative_seconds_are_rejected()
        => Assert.Contains("seconds must be > 0, got -1", Problem(TinyModel.Request() with { Seconds = -1 }));

    [Fact]
    public void Size_off_the_latent_grid_names_the_multiple_and_the_value()
    {
        string message = Problem(TinyModel.Request() with { Width = 40 });
        Assert.Contains("width must be a multiple of 16", message);
        Assert.Contains("got 40", message);
    }

    [Fact]
    public void Size_above_the_model_limit_names_the_limit()
        => Assert.Contains("between 16 and 256", Problem(TinyModel.Request() with { Height = 512 }));

    [Fact]
    public void Zero_steps_are_rejected()
        => Assert.Contains("steps must be between 1 and 1000, got 0", Problem(TinyModel.Request() with { Steps = 0 }));

    [Fact]
    public void Guidance_below_one_is_rejected()
        => Assert.Contains("guidance must be between 1 (off) and 30", Problem(TinyModel.Request() with { Guidance = 0.5 }));

    [Fact]
    public void Guidance_min_sigma_above_one_is_rejected()
        => Assert.Contains("guidance min sigma must be between 0 (guide every step) and 1, got 1.5", Problem(TinyModel.Request() with { GuidanceMinSigma = 1.5 }));

    [Fact]
    public void Eta_outside_zero_to_one_names_the_range()
        => Assert.Contains("eta must be between 0 (no fresh noise) and 1 (all fresh), got 1.2", Problem(TinyModel.Request() with { Eta = 1.2 }));

    [Fact]
    public void Empty_prompt_is_rejected()
        => Assert.Contains("prompt must not be empty", Problem(TinyModel.Request() with { Prompt = "  " }));

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        string message = Problem(TinyModel.Request() with { Seconds = 0, Steps = 0 });
        Assert.Contains("seconds", message);
        Assert.Contains("steps", message);
    }

    [Fact]
    public void Too_short_for_one_frame_is_rejected()
        => Assert.Contains("at least one frame", Problem(TinyModel.Request() with { Seconds = 0.01, Fps = 8 }));

    [Fact]
    public void Defaults_fill_what_the_request_leaves_out()
    {
        var resolved = VideoRequestValidator.Resolve(new VideoRequest { Prompt = "a ball" }, Config);
        Assert.Equal((Config.Defaults.Width, Config.Defaults.Height, Config.Defaults.Fps, Config.Defaults.Steps),
            (resolved.Width, resolved.Height, resolved.Fps, resolved.Steps));
    }

    [Theory]
    [InlineData(2.0, 8, 16, 5)]    // 16 frames need 1 + 4·4 = 17 decoded → 5 latent frames
    [InlineData(0.125, 8, 1, 1)]   // a single frame is an image
    [InlineData(1.0, 9, 9, 3)]
    public void Frame_and_latent_counts_follow_from_seconds_and_fps(double seconds, int fps, int frames, int latentFrames)
    {
        var resolved = VideoRequestValidator.Resolve(TinyModel.Request() with { Seconds = seconds, Fps = fps }, Config);
        Assert.Equal((frames, latentFrames), (resolved.FrameCount, resolved.LatentFrames));
    }
}
