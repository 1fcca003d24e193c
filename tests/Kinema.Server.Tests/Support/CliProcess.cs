using System.Diagnostics;

namespace Kinema.Server.Tests.Support;

/// <summary>Runs the CLI as a process, for tests that compare what the API serves with what the CLI makes.</summary>
public static class CliProcess
{
    public static void Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Repo.CliDll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kinema {string.Join(' ', args)} failed: {stderr}");
    }
}
