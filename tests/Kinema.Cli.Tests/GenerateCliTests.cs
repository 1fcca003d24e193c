using Kinema.Media;

namespace Kinema.Cli.Tests;

public sealed class GenerateCliTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private string[] Generate(string output, params string[] extra)
        => ["generate", "a red ball bounces on green grass", "--model", fixture.ModelFolder, "--seconds", "2", "--fps", "8",
            "--size", "64x48", "--steps", "2", "--seed", "7", "-o", output, .. extra];

    [Fact]
    public void Writes_an_h264_mp4_with_the_asked_size_fps_and_frame_count()
    {
        string output = fixture.NewPath("a.mp4");
        var result = CliRunner.Run(Generate(output));
        Assert.True(result.ExitCode == 0, result.StdErr);
        var probe = VideoFile.Probe(output);
        Assert.Equal((64, 48, 16), (probe.Width, probe.Height, probe.FrameCount));
        Assert.Equal(8.0, probe.Fps, 3);
        Assert.Equal("h264", probe.Codec);
        Assert.Equal("yuv420p", probe.PixelFormat);
        Assert.Contains(output, result.StdOut);
    }

    [Fact]
    public void The_same_seed_writes_identical_frames()
    {
        string a = fixture.NewPath("a.mp4"), b = fixture.NewPath("b.mp4");
        Assert.Equal(0, CliRunner.Run(Generate(a)).ExitCode);
        Assert.Equal(0, CliRunner.Run(Generate(b)).ExitCode);
        var framesA = VideoFile.Read(a).Frames;
        var framesB = VideoFile.Read(b).Frames;
        Assert.Equal(framesA.Count, framesB.Count);
        Assert.All(framesA.Zip(framesB), p => Assert.True(p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void Progress_is_plain_lines_when_output_is_not_a_terminal()
    {
        var result = CliRunner.Run(Generate(fixture.NewPath("p.mp4")));
        Assert.Contains("step 1/2", result.StdErr);
        Assert.Contains("step 2/2", result.StdErr);
        Assert.Contains("it/s", result.StdErr);
    }

    [Fact]
    public void Guidance_limited_to_high_noise_is_announced_and_changes_the_video()
    {
        string everyStep = fixture.NewPath("g0.mp4"), highNoise = fixture.NewPath("g9.mp4");
        Assert.Equal(0, CliRunner.Run(Generate(everyStep)).ExitCode);
        var result = CliRunner.Run(Generate(highNoise, "--guidance-min-sigma", "0.9"));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("at sigma >= 0.9", result.StdErr);
        Assert.False(VideoFile.Read(everyStep).Frames.Zip(VideoFile.Read(highNoise).Frames).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void The_ancestral_sampler_is_announced_and_the_same_seed_repeats_the_video()
    {
        string first = fixture.NewPath("a1.mp4"), again = fixture.NewPath("a2.mp4");
        var result = CliRunner.Run(Generate(first, "--sampler", "euler-a"));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("(euler-a)", result.StdErr);
        Assert.Equal(0, CliRunner.Run(Generate(again, "--sampler", "euler-a")).ExitCode);
        Assert.True(VideoFile.Read(first).Frames.Zip(VideoFile.Read(again).Frames).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void The_ancestral_samplers_eta_is_announced_and_changes_the_video()
    {
        string full = fixture.NewPath("eta1.mp4"), partial = fixture.NewPath("eta05.mp4");
        Assert.Equal(0, CliRunner.Run(Generate(full, "--sampler", "euler-a", "--eta", "1")).ExitCode);
        var result = CliRunner.Run(Generate(partial, "--sampler", "euler-a", "--eta", "0.5"));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("(euler-a, eta 0.5)", result.StdErr);
        Assert.False(VideoFile.Read(full).Frames.Zip(VideoFile.Read(partial).Frames).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void An_eta_above_one_exits_2_naming_it()
    {
        var result = CliRunner.Run(Generate(fixture.NewPath("x.mp4"), "--sampler", "euler-a", "--eta", "1.5"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("eta must be between 0 (no fresh noise) and 1 (all fresh), got 1.5", result.StdErr);
    }

    [Fact]
    public void An_unknown_sampler_exits_2_listing_the_allowed_ones()
    {
        var result = CliRunner.Run(Generate(fixture.NewPath("x.mp4"), "--sampler", "heun"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("allowed: euler, dpm++2m, euler-a", result.StdErr);
    }

    [Fact]
    public void A_guidance_min_sigma_above_one_exits_2_naming_it()
    {
        var result = CliRunner.Run(Generate(fixture.NewPath("x.mp4"), "--guidance-min-sigma", "2"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("guidance min sigma must be between 0 (guide every step) and 1, got 2", result.StdErr);
    }

    [Fact]
    public void Negative_seconds_exit_2_with_a_clear_message()
    {
        var result = CliRunner.Run("generate", "a red ball", "--model", fixture.ModelFolder, "--seconds", "-1", "-o", fixture.NewPath("x.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("seconds must be > 0", result.StdErr);
    }

    [Fact]
    public void A_size_off_the_grid_exits_2_naming_the_multiple()
    {
        var result = CliRunner.Run("generate", "a red ball", "--model", fixture.ModelFolder, "--size", "100x64", "-o", fixture.NewPath("x.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("multiple of 16", result.StdErr);
    }

    [Fact]
    public void A_malformed_size_exits_2()
    {
        var result = CliRunner.Run("generate", "a red ball", "--model", fixture.ModelFolder, "--size", "big", "-o", fixture.NewPath("x.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("WIDTHxHEIGHT", result.StdErr);
    }

    [Fact]
    public void An_unsupported_output_extension_exits_2()
    {
        var result = CliRunner.Run("generate", "a red ball", "--model", fixture.ModelFolder, "-o", fixture.NewPath("x.avi"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(".mp4 or .gif", result.StdErr);
    }

    [Fact]
    public void A_missing_model_folder_exits_2_naming_it()
    {
        var result = CliRunner.Run("generate", "a red ball", "--model", "/nonexistent/model", "-o", fixture.NewPath("x.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/nonexistent/model", result.StdErr);
    }

    [Fact]
    public void A_failed_generation_leaves_an_existing_output_untouched()
    {
        string output = fixture.NewPath("keep.mp4");
        File.WriteAllText(output, "earlier result");
        var result = CliRunner.Run("generate", "a red ball", "--model", fixture.ModelFolder, "--steps", "0", "-o", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("earlier result", File.ReadAllText(output));
    }

    [Fact]
    public void Without_ffmpeg_it_falls_back_to_gif_and_says_how_to_get_mp4()
    {
        string output = fixture.NewPath("f.mp4");
        var result = CliRunner.Run(Generate(output), new Dictionary<string, string> { ["KINEMA_FFMPEG"] = "none" });
        Assert.True(result.ExitCode == 0, result.StdErr);
        string gif = Path.ChangeExtension(output, ".gif");
        Assert.True(File.Exists(gif));
        Assert.False(File.Exists(output));
        Assert.Contains("ffmpeg", result.StdErr);
        Assert.Equal(16, VideoFile.Read(gif).Frames.Count);
    }

    [Fact]
    public void Unknown_words_are_named_but_generation_still_happens()
    {
        var result = CliRunner.Run("generate", "a zorblax ball", "--model", fixture.ModelFolder, "--seconds", "0.5", "--size", "32x32", "--steps", "1",
            "-o", fixture.NewPath("u.mp4"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("zorblax", result.StdErr);
    }
}
