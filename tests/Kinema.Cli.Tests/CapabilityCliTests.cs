using Kinema.Media;

namespace Kinema.Cli.Tests;

/// <summary>Each capability command run as a process on a tiny random model: right shapes, lengths and errors.</summary>
public sealed class CapabilityCliTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private string[] Common => ["--model", fixture.ModelFolder, "--steps", "2"];

    private string MakeClip(string name, double seconds)
    {
        string path = fixture.NewPath(name);
        var result = CliRunner.Run(["generate", "a red ball", "--size", "64x48", "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", path, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        return path;
    }

    [Fact]
    public void Image_writes_a_png_of_the_asked_size()
    {
        string output = fixture.NewPath("i.png");
        var result = CliRunner.Run(["image", "a red ball", "--size", "80x48", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var image = ImageFile.Read(output);
        Assert.Equal((80, 48), (image.Width, image.Height));
    }

    [Fact]
    public void Animate_starts_from_an_image()
    {
        string image = fixture.NewPath("start.png");
        Assert.Equal(0, CliRunner.Run(["image", "a ball", "--size", "64x64", "-o", image, .. Common]).ExitCode);
        string output = fixture.NewPath("a.mp4");
        var result = CliRunner.Run(["animate", image, "it bounces", "--seconds", "1", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal((64, 64, 8), (VideoFile.Probe(output).Width, VideoFile.Probe(output).Height, VideoFile.Probe(output).FrameCount));
    }

    [Fact]
    public void A_long_animation_is_generated_in_windows_at_the_images_size()
    {
        string image = fixture.NewPath("long-start.png");
        Assert.Equal(0, CliRunner.Run(["image", "a ball", "--size", "80x48", "-o", image, .. Common]).ExitCode);
        string output = fixture.NewPath("long-a.mp4");
        var result = CliRunner.Run(["animate", image, "it bounces", "--seconds", "3", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("windowed", result.StdErr);
        var probe = VideoFile.Probe(output);
        Assert.Equal((80, 48, 24), (probe.Width, probe.Height, probe.FrameCount));
    }

    [Fact]
    public void Extend_adds_the_asked_seconds_to_the_original()
    {
        string source = MakeClip("src.mp4", 1);
        string output = fixture.NewPath("e.mp4");
        var result = CliRunner.Run(["extend", source, "it rolls on", "--seconds", "1", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(16, VideoFile.Probe(output).FrameCount);
    }

    [Fact]
    public void Edit_keeps_the_length()
    {
        string source = MakeClip("src.mp4", 1);
        string output = fixture.NewPath("ed.mp4");
        var result = CliRunner.Run(["edit", source, "a blue cube", "--strength", "0.5", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(8, VideoFile.Probe(output).FrameCount);
    }

    [Fact]
    public void Edit_with_strength_above_one_exits_2()
    {
        string source = MakeClip("src.mp4", 1);
        var result = CliRunner.Run(["edit", source, "x", "--strength", "2", "-o", fixture.NewPath("x.mp4"), .. Common]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("strength", result.StdErr);
    }

    [Fact]
    public void Connect_writes_first_transition_second()
    {
        string a = MakeClip("a.mp4", 1), b = MakeClip("b.mp4", 1);
        string output = fixture.NewPath("c.mp4");
        var result = CliRunner.Run(["connect", a, b, "--seconds", "1", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(8 + 7 + 8, VideoFile.Probe(output).FrameCount);   // b starts 1 s (8 frames) after a ends
    }

    [Fact]
    public void Loop_writes_a_whole_number_of_latent_periods()
    {
        string output = fixture.NewPath("l.mp4");
        var result = CliRunner.Run(["loop", "a spinning star", "--seconds", "2.1", "--size", "64x64", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(20, VideoFile.Probe(output).FrameCount);   // 17 frames asked, rounded up to 4-frame latent steps
    }

    [Fact]
    public void Storyboard_runs_until_the_last_card_plus_the_default_span()
    {
        string board = fixture.NewPath("board.json");
        File.WriteAllText(board, """{"cards": [{"start": 0, "prompt": "a red ball"}, {"start": 1, "prompt": "a blue cube"}]}""");
        string output = fixture.NewPath("s.mp4");
        var result = CliRunner.Run(["storyboard", board, "--size", "64x64", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal((1 + 4) * 8, VideoFile.Probe(output).FrameCount);
    }

    [Fact]
    public void A_storyboard_without_cards_exits_2_saying_what_is_expected()
    {
        string board = fixture.NewPath("empty.json");
        File.WriteAllText(board, """{"cards": []}""");
        var result = CliRunner.Run(["storyboard", board, "-o", fixture.NewPath("s.mp4"), .. Common]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cards", result.StdErr);
    }

    [Fact]
    public void A_long_video_is_generated_in_windows_with_the_exact_length()
    {
        string output = fixture.NewPath("long.mp4");
        var result = CliRunner.Run(["generate", "a red ball rolls", "--size", "64x64", "--seconds", "6", "--window", "1.5", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("windowed", result.StdErr);
        Assert.Equal(48, VideoFile.Probe(output).FrameCount);
    }

    [Fact]
    public void A_missing_input_video_exits_2_naming_it()
    {
        var result = CliRunner.Run(["extend", "/nope/missing.mp4", "x", "--seconds", "1", "-o", fixture.NewPath("x.mp4"), .. Common]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/nope/missing.mp4", result.StdErr);
    }

    [Fact]
    public void A_missing_output_folder_exits_2_before_any_generation()
    {
        var result = CliRunner.Run(["image", "a red ball", "--size", "64x48", "-o", "/nope/folder/i.png", .. Common]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("output folder '/nope/folder' does not exist", result.StdErr);
        Assert.DoesNotContain("step", result.StdErr);
    }

    [Theory]
    [InlineData("""{"cards": [{"start": 0, "prompt": "a red ball"}, {"prompt": "a blue cube"}]}""", "card 1 has no \"start\"")]
    [InlineData("""{"cards": [{"start": 1, "prompt": "a red ball"}, {"start": 1, "prompt": "a blue cube"}]}""", "cards 0 and 1 both start at 1 s")]
    public void A_storyboard_card_without_its_own_start_exits_2_naming_the_card(string json, string expected)
    {
        string board = fixture.NewPath("board.json");
        File.WriteAllText(board, json);
        var result = CliRunner.Run(["storyboard", board, "-o", fixture.NewPath("s.mp4"), .. Common]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
    }

    [Fact]
    public void Extend_past_twice_the_default_length_runs_in_windows_and_keeps_the_original()
    {
        string source = MakeClip("to-extend-long.mp4", 1);
        string output = fixture.NewPath("extended-long.mp4");
        var result = CliRunner.Run(["extend", source, "the ball rolls on", "--seconds", "3", "-o", output, .. Common]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var original = VideoFile.Read(source);
        var extended = VideoFile.Read(output);
        Assert.Equal(original.Frames.Count + 24, extended.Frames.Count);
        Assert.Equal((original.Frames[0].Width, original.Frames[0].Height), (extended.Frames[0].Width, extended.Frames[0].Height));
    }
}
