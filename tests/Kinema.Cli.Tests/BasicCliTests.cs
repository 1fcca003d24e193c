namespace Kinema.Cli.Tests;

public class BasicCliTests
{
    [Fact]
    public void Help_lists_the_commands()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("generate", result.StdOut);
        Assert.Contains("info", result.StdOut);
    }

    [Fact]
    public void Generate_help_lists_its_options()
    {
        var result = CliRunner.Run("generate", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--seconds", "--fps", "--size", "--steps", "--guidance", "--seed", "--negative", "--model", "--device" })
            Assert.Contains(option, result.StdOut);
    }

    [Fact]
    public void An_unknown_option_exits_2()
    {
        var result = CliRunner.Run("generate", "x", "--frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--frobnicate", result.StdErr);
    }

    [Fact]
    public void Info_reports_libtorch_and_devices()
    {
        var result = CliRunner.Run("info");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("libtorch      2.", result.StdOut);
        Assert.Contains("cpu", result.StdOut);
    }

    [Fact]
    public void Cuda_on_a_cpu_build_exits_2_with_the_reason()
    {
        var result = CliRunner.Run("generate", "a ball", "--device", "cuda", "-o", Path.Combine(Path.GetTempPath(), "never.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("CUDA is not available", result.StdErr);
    }

    [Fact]
    public void Model_show_loads_and_describes_a_model_folder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"kinema-show-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(0, CliRunner.Run("model", "init", folder, "--preset", "tiny").ExitCode);
            var result = CliRunner.Run("model", "show", folder);
            Assert.True(result.ExitCode == 0, result.StdErr);
            Assert.Contains("transformer:", result.StdOut);
            Assert.Contains("\"format\": \"kinema-model\"", result.StdOut);
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
    }
}
