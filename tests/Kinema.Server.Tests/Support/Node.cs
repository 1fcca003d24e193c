using System.Diagnostics;
using System.Text.Json;

namespace Kinema.Server.Tests.Support;

/// <summary>Runs the JavaScript helpers in js/ (the openai SDK, playwright-core) with node.</summary>
public static class Node
{
    /// <summary>Why node-driven tests cannot run here, or null when they can.</summary>
    public static string? MissingReason { get; } = FindMissing();

    public static JsonElement RunScenario(string script, string scenario, IDictionary<string, string> environment, int timeoutSeconds = 120)
    {
        var (exitCode, stdout, stderr) = Run(script, [scenario], environment, timeoutSeconds);
        if (exitCode != 0) throw new Xunit.Sdk.XunitException($"node {script} {scenario} exited {exitCode}:\n{stderr}\n{stdout}");
        string line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new Xunit.Sdk.XunitException($"node {script} {scenario} printed nothing:\n{stderr}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    public static (int ExitCode, string StdOut, string StdErr) Run(string script, IEnumerable<string> args, IDictionary<string, string> environment, int timeoutSeconds)
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.JsFolder,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish in {timeoutSeconds}s\n{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? FindMissing()
    {
        if (!CommandExists("node")) return "node is not installed (run build/install-server-test-deps.sh)";
        if (!Directory.Exists(Path.Combine(Repo.JsFolder, "node_modules", "openai")))
            return $"{Repo.JsFolder}/node_modules is missing (run build/install-server-test-deps.sh, which runs npm ci there)";
        return null;
    }

    internal static bool CommandExists(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));
}

/// <summary>A test that needs node and the npm packages in js/; reported as skipped, with the reason, when they are absent.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (Node.MissingReason is { } reason) Skip = reason;
    }
}

/// <summary>A test that also needs Chromium at /usr/bin/chromium (Debian's package) and playwright-core.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (Node.MissingReason is { } reason) Skip = reason;
        else if (!File.Exists(ChromiumPath)) Skip = $"{ChromiumPath} is missing (apt-get install chromium, or run build/install-server-test-deps.sh)";
        else if (!Directory.Exists(Path.Combine(Repo.JsFolder, "node_modules", "playwright-core"))) Skip = "playwright-core is not installed in js/node_modules (run build/install-server-test-deps.sh)";
    }
}
