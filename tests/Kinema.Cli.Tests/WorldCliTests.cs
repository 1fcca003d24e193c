using System.Diagnostics;
using System.Text.Json;

namespace Kinema.Cli.Tests;

/// <summary>Runs the built CLI as a child process, the way users and scripts do.</summary>
public class WorldCliTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Kinema.slnx"))) return directory.FullName;
        throw new InvalidOperationException("Kinema.slnx not found above " + AppContext.BaseDirectory);
    }

    private static (int ExitCode, string Output, string Error) Kinema(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepoRoot, "src", "Kinema.Cli", "bin", "Release", "net10.0", "kinema.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "kinema-world-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public void Sample_writes_a_video_a_caption_and_a_scene_per_sample()
    {
        string directory = TempDirectory();
        var (exitCode, _, error) = Kinema("world", "sample", "--count", "2", "--out", directory, "--size", "64x64", "--seconds", "1", "--seed", "3");
        Assert.True(exitCode == 0, error);
        foreach (var name in new[] { "train-000003", "train-000004" })
        {
            Assert.True(new FileInfo(Path.Combine(directory, name + ".mp4")).Length > 0);
            Assert.False(string.IsNullOrWhiteSpace(File.ReadAllText(Path.Combine(directory, name + ".txt"))));
            Assert.Contains("\"background\"", File.ReadAllText(Path.Combine(directory, name + ".json")));
        }
    }

    [Fact]
    public void Judge_prints_JSON_with_a_high_overall_score_for_a_sampled_clip()
    {
        string directory = TempDirectory();
        Assert.Equal(0, Kinema("world", "sample", "--count", "1", "--out", directory, "--seed", "8").ExitCode);
        var (exitCode, output, error) = Kinema("world", "judge", Path.Combine(directory, "train-000008.mp4"), "--scene", Path.Combine(directory, "train-000008.json"));
        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("overall").GetDouble() >= 90, output);
    }

    [Fact]
    public void Judge_exits_2_naming_the_problem_when_the_scene_is_invalid()
    {
        string directory = TempDirectory();
        Assert.Equal(0, Kinema("world", "sample", "--count", "1", "--out", directory, "--size", "64x64", "--seconds", "1").ExitCode);
        string scene = Path.Combine(directory, "broken.json");
        File.WriteAllText(scene, "{ \"seed\": 1, \"background\": \"moon\" }");
        var (exitCode, _, error) = Kinema("world", "judge", Path.Combine(directory, "train-000000.mp4"), "--scene", scene);
        Assert.Equal(2, exitCode);
        Assert.Contains("broken.json", error);
    }

    [Fact]
    public void Judge_exits_2_when_the_video_is_missing()
    {
        var (exitCode, _, error) = Kinema("world", "judge", "/nonexistent/clip.mp4", "--scene", "/nonexistent/scene.json");
        Assert.Equal(2, exitCode);
        Assert.Contains("clip.mp4", error);
    }

    [Theory]
    [InlineData("--size", "100x64", "multiple of 8")]
    [InlineData("--size", "big", "WxH")]
    [InlineData("--split", "test", "train or heldout")]
    [InlineData("--count", "0", "--count")]
    public void Sample_exits_2_with_a_clear_message_on_bad_options(string option, string value, string expected)
    {
        var (exitCode, _, error) = Kinema("world", "sample", "--out", TempDirectory(), option, value);
        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Held_out_samples_are_named_as_such()
    {
        string directory = TempDirectory();
        Assert.Equal(0, Kinema("world", "sample", "--count", "1", "--out", directory, "--split", "heldout", "--size", "64x64", "--seconds", "1").ExitCode);
        Assert.True(File.Exists(Path.Combine(directory, "heldout-000000.mp4")));
    }

    [Fact]
    public void Calibrate_prints_the_table()
    {
        var (exitCode, output, error) = Kinema("world", "calibrate", "--count", "1");
        Assert.True(exitCode == 0, error);
        Assert.Contains("| **overall** |", output);
        Assert.Contains("H.264 CRF 23", output);
    }
}
