using System.Diagnostics;

namespace Kinema.Cli.Tests;

public sealed record CliResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs the built kinema CLI as a child process, as a user would.</summary>
public static class CliRunner
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string CliDll { get; } = FindCliDll();

    public static CliResult Run(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, int timeoutSeconds = 120)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? RepoRoot,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("KINEMA_MODEL");
        // Keep generated signing keys and policy audit lines out of the user's home.
        info.Environment["KINEMA_SIGNING_DIR"] = Path.Combine(Path.GetTempPath(), "kinema-cli-tests-signing");
        info.Environment["KINEMA_AUDIT_LOG"] = Path.Combine(Path.GetTempPath(), "kinema-cli-tests-audit.jsonl");
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kinema {string.Join(' ', args)} did not finish in {timeoutSeconds}s");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static CliResult Run(params string[] args) => Run((IEnumerable<string>)args);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kinema.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Kinema.slnx not found above the test binaries");
    }

    private static string FindCliDll()
    {
        // Same configuration as the tests themselves (bin/<Configuration>/<tfm>/).
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = testBin.Name, configuration = testBin.Parent!.Name;
        string dll = Path.Combine(RepoRoot, "src", "Kinema.Cli", "bin", configuration, tfm, "kinema.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"CLI not built at {dll}");
        return dll;
    }
}
