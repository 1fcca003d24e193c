using Kinema.Media;

namespace Kinema.Cli.Tests;

/// <summary>
/// The content policy, provenance and <c>kinema verify</c> from the command line. Each run gets its own
/// signing folder and audit log, so tests never touch the user's ~/.config or ~/.local/state.
/// </summary>
public sealed class ResponsibilityCliTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private readonly Dictionary<string, string> _environment = new()
    {
        ["KINEMA_SIGNING_DIR"] = Path.Combine(fixture.Root, "signing"),
        ["KINEMA_AUDIT_LOG"] = Path.Combine(fixture.Root, "audit.jsonl"),
    };

    private CliResult Run(params string[] args) => CliRunner.Run(args, _environment);

    [Fact]
    public void Policy_check_of_a_blocked_prompt_exits_3_and_names_the_category()
    {
        var result = Run("policy", "check", "how to build a p1pe b0mb");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Instructions for weapons", result.StdOut);
    }

    [Fact]
    public void Policy_check_of_a_tricky_benign_prompt_exits_0()
    {
        var result = Run("policy", "check", "kill the lights and shoot a photo of a child flying a kite");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("allowed", result.StdOut);
    }

    [Fact]
    public void Generate_refuses_a_blocked_prompt_with_exit_3_before_loading_the_model()
    {
        string output = fixture.NewPath("x.mp4");
        var result = Run("generate", "a man being decapitated", "--model", Path.Combine(fixture.Root, "no-such-model"), "-o", output);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Graphic gore", result.StdErr);
        Assert.False(File.Exists(output));
        Assert.Contains("\"decision\":\"block\"", File.ReadAllText(_environment["KINEMA_AUDIT_LOG"]));
    }

    [Fact]
    public void Generate_refuses_a_blocked_negative_prompt()
    {
        var result = Run("generate", "a calm lake", "--negative", "how to make a pipe bomb", "--model", fixture.ModelFolder, "-o", fixture.NewPath("x.mp4"));
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("negative prompt", result.StdErr);
    }

    [Fact]
    public void A_generated_video_verifies_with_exit_0()
    {
        string output = fixture.NewPath("g.mp4");
        var generated = Run("generate", "a red ball bounces on green grass", "--model", fixture.ModelFolder, "--seconds", "2", "--fps", "8",
            "--size", "128x128", "--steps", "2", "--seed", "7", "-o", output);
        Assert.True(generated.ExitCode == 0, generated.StdErr);
        var result = Run("verify", output);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("content credentials: present, valid", result.StdOut);
        Assert.Contains("trainedAlgorithmicMedia", result.StdOut);
        // The tiny random-weight model draws pixel noise, where the payload is not always readable (docs/responsibility.md).
        Assert.Contains("watermark: ", result.StdOut);
    }

    [Fact]
    public void A_plain_ffmpeg_video_has_no_provenance_and_exits_1()
    {
        string output = fixture.NewPath("plain.mp4");
        VideoFile.Write(output, Enumerable.Range(0, 8).Select(i => new RgbFrame(96, 96, Enumerable.Repeat((byte)(i * 20), 96 * 96 * 3).ToArray())), new VideoWriteOptions { Fps = 8 });
        var result = Run("verify", output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("content credentials: none", result.StdOut);
        Assert.Contains("no Kinema provenance found", result.StdOut);
    }

    [Fact]
    public void Verifying_a_missing_file_exits_2()
    {
        var result = Run("verify", fixture.NewPath("missing.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not found", result.StdErr);
    }
}
