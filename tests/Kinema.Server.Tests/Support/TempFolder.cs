using System.Diagnostics;

namespace Kinema.Server.Tests.Support;

/// <summary>A scratch folder under /tmp, removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kinema-server-{Guid.NewGuid():N}")).FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A tiny random-weight model folder written once per test run with `kinema model init --preset tiny`.</summary>
public static class TinyModel
{
    private static readonly Lazy<string> Folder = new(Create);

    public static string Path => Folder.Value;

    private static string Create()
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kinema-server-tiny-{Environment.ProcessId}");
        if (Directory.Exists(folder)) return folder;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo.CliDll, "model", "init", folder, "--preset", "tiny", "--seed", "3" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"kinema model init failed: {stderr}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        };
        return folder;
    }
}
