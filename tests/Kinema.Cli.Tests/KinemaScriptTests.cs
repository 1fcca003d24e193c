using System.Diagnostics;

namespace Kinema.Cli.Tests;

/// <summary>
/// The <c>./kinema</c> wrapper, run against a stand-in <c>dotnet</c> that builds the way MSBuild does here: the outputs
/// hard-linked to the projects' own bin folders (Directory.Build.props) and to the package cache.
/// </summary>
public sealed class KinemaScriptTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"kinema-script-{Guid.NewGuid():N}");

    private const string FakeDotnet = """
        #!/usr/bin/env bash
        # build: link the "project" assembly and the "package" library into the -o folder, as MSBuild's hard links do.
        if [ "$1" = build ]; then
          echo "$*" > "$ROOT/build-args"
          while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
          mkdir -p "$out"
          ln "$ROOT/src/bin/Kinema.Core.dll" "$out/Kinema.Core.dll"
          ln "$ROOT/packages/libtorch_cpu.so" "$out/libtorch_cpu.so"
          echo cli > "$out/kinema.dll"
          exit 0
        fi
        echo "ran $*"
        """;

    public KinemaScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "src", "bin"));
        Directory.CreateDirectory(Path.Combine(_root, "packages"));
        Directory.CreateDirectory(Path.Combine(_root, "fake"));
        File.Copy(Path.Combine(CliRunner.RepoRoot, "kinema"), Path.Combine(_root, "kinema"));
        File.WriteAllText(Path.Combine(_root, "src", "Program.cs"), "// a source the wrapper sees");
        File.WriteAllText(Path.Combine(_root, "src", "bin", "Kinema.Core.dll"), "first build");
        File.WriteAllText(Path.Combine(_root, "packages", "libtorch_cpu.so"), "libtorch");
        string dotnet = Path.Combine(_root, "fake", "dotnet");
        File.WriteAllText(dotnet, FakeDotnet.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private (int ExitCode, string Output) RunWrapper(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(_root, "kinema"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["PATH"] = $"{Path.Combine(_root, "fake")}:{Environment.GetEnvironmentVariable("PATH")}";
        info.Environment["ROOT"] = _root;
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public void A_rebuild_of_the_projects_does_not_change_the_assemblies_under_a_running_cli()
    {
        var (exitCode, output) = RunWrapper("--help");
        Assert.True(exitCode == 0, output);
        Assert.Contains("ran ", output);
        string built = Path.Combine(_root, ".kinema", "bin");

        // What `dotnet build` of the solution does to a project's output: rewrites the same file in place.
        File.WriteAllText(Path.Combine(_root, "src", "bin", "Kinema.Core.dll"), "second build");
        Assert.Equal("first build", File.ReadAllText(Path.Combine(built, "Kinema.Core.dll")));
    }

    [Fact]
    public void The_cli_builds_in_its_own_artifacts_folder_so_it_never_rewrites_what_tests_run_from()
    {
        Assert.Equal(0, RunWrapper("--help").ExitCode);
        Assert.Contains($"--artifacts-path {Path.Combine(_root, ".kinema", "artifacts")}", File.ReadAllText(Path.Combine(_root, "build-args")));
    }

    [Fact]
    public void Package_libraries_stay_hard_linked_so_a_build_does_not_copy_libtorch()
    {
        Assert.Equal(0, RunWrapper("--help").ExitCode);
        File.WriteAllText(Path.Combine(_root, "packages", "libtorch_cpu.so"), "the same file");
        Assert.Equal("the same file", File.ReadAllText(Path.Combine(_root, ".kinema", "bin", "libtorch_cpu.so")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
