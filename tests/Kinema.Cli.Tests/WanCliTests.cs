using Kinema.Media;

namespace Kinema.Cli.Tests;

/// <summary>The Wan path end to end: `kinema wan make-random` writes a diffusers folder, `kinema generate --model` runs it.</summary>
public sealed class WanCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"kinema-cli-wan-{Guid.NewGuid():N}");

    public WanCliTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Make_random_tiny_then_generate_writes_an_mp4_with_1_plus_4k_frames()
    {
        string folder = Path.Combine(_root, "wan-tiny");
        var made = CliRunner.Run("wan", "make-random", "--variant", "tiny", "--out", folder, "--seed", "4");
        Assert.True(made.ExitCode == 0, made.StdErr);
        Assert.True(File.Exists(Path.Combine(folder, "model_index.json")));

        string output = Path.Combine(_root, "wan.mp4");
        // 9 frames = 1 + 4·2 at 16 fps; 32x32 is two latent cells of the tiny VAE's 16-pixel grid per side.
        var result = CliRunner.Run("generate", "a red fox runs through snow", "--model", folder, "--size", "32x32", "--seconds", "0.5625",
            "--fps", "16", "--steps", "2", "--seed", "1", "-o", output);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("step 2/2", result.StdErr);
        Assert.Contains("provenance:", result.StdErr);
        var probe = VideoFile.Probe(output);
        Assert.Equal((32, 32, 9), (probe.Width, probe.Height, probe.FrameCount));
        Assert.Equal(16.0, probe.Fps, 3);
    }

    [Fact]
    public void A_wan_folder_missing_its_transformer_exits_2_naming_it_and_bad_frame_counts_are_explained()
    {
        string folder = Path.Combine(_root, "broken");
        Assert.Equal(0, CliRunner.Run("wan", "make-random", "--variant", "tiny", "--out", folder).ExitCode);
        var frames = CliRunner.Run("generate", "a fox", "--model", folder, "--size", "32x32", "--seconds", "2", "--fps", "16", "-o", Path.Combine(_root, "f.mp4"));
        Assert.Equal(2, frames.ExitCode);
        Assert.Contains("Wan generates 1 + 4k frames; 2 s at 16 fps is 32 frames", frames.StdErr);

        Directory.Delete(Path.Combine(folder, "transformer"), recursive: true);
        var result = CliRunner.Run("generate", "a fox", "--model", folder, "--size", "32x32", "-o", Path.Combine(_root, "x.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("component 'transformer'", result.StdErr);
        Assert.Contains("does not exist", result.StdErr);
    }

    [Fact]
    public void Animate_with_a_TI2V_folder_starts_the_video_from_the_image()
    {
        string folder = Path.Combine(_root, "wan-tiny-ti2v");
        var made = CliRunner.Run("wan", "make-random", "--variant", "tiny-ti2v", "--out", folder, "--seed", "4");
        Assert.True(made.ExitCode == 0, made.StdErr);
        // An image of another size: the CLI resizes it to the video's 64x32 (the tiny Wan 2.2 VAE's grid is 32 px).
        string image = Path.Combine(_root, "start.png");
        ImageFile.WritePng(image, new RgbFrame(40, 24, Enumerable.Range(0, 40 * 24 * 3).Select(i => (byte)(i * 13 % 256)).ToArray()));
        string[] settings = ["--model", folder, "--size", "64x32", "--seconds", "0.5625", "--fps", "16", "--steps", "2", "--seed", "1"];

        string animated = Path.Combine(_root, "animated.mp4");
        var result = CliRunner.Run(["animate", image, "a kite rises", .. settings, "-o", animated]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("from an image", result.StdErr);
        Assert.Contains("step 2/2", result.StdErr);
        var probe = VideoFile.Probe(animated);
        Assert.Equal((64, 32, 9), (probe.Width, probe.Height, probe.FrameCount));

        // Same seed and prompt without the image: the first frame is the model's own, not the image's encoding.
        string generated = Path.Combine(_root, "generated.mp4");
        Assert.Equal(0, CliRunner.Run(["generate", "a kite rises", .. settings, "-o", generated]).ExitCode);
        var first = VideoFile.Read(animated, maxFrames: 1).Frames[0];
        var textOnly = VideoFile.Read(generated, maxFrames: 1).Frames[0];
        Assert.False(first.Pixels.AsSpan().SequenceEqual(textOnly.Pixels));
    }

    [Fact]
    public void Animate_refuses_a_text_to_video_wan_folder_and_last_frames()
    {
        string folder = Path.Combine(_root, "wan-tiny");
        Assert.Equal(0, CliRunner.Run("wan", "make-random", "--variant", "tiny", "--out", folder).ExitCode);
        string image = Path.Combine(_root, "start.png");
        ImageFile.WritePng(image, new RgbFrame(32, 32));

        var t2v = CliRunner.Run("animate", image, "a kite", "--model", folder, "--size", "32x32", "-o", Path.Combine(_root, "a.mp4"));
        Assert.Equal(2, t2v.ExitCode);
        Assert.Contains("needs a Wan 2.2 TI2V folder", t2v.StdErr);

        var last = CliRunner.Run("animate", image, "a kite", "--last", image, "--model", folder, "--size", "32x32", "-o", Path.Combine(_root, "b.mp4"));
        Assert.Equal(2, last.ExitCode);
        Assert.Contains("--last is not supported for Wan folders", last.StdErr);
        Assert.False(File.Exists(Path.Combine(_root, "a.mp4")) || File.Exists(Path.Combine(_root, "b.mp4")));
    }

    [Fact]
    public void Make_random_rejects_an_unknown_variant()
    {
        var result = CliRunner.Run("wan", "make-random", "--variant", "7B", "--out", Path.Combine(_root, "x"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("1.3B, 14B, ti2v-5B, tiny", result.StdErr);
    }
}
