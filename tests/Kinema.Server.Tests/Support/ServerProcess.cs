using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;

namespace Kinema.Server.Tests.Support;

/// <summary>`kinema serve` as a child process on a free loopback port, with its log kept for failure messages.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process) => _process = process;

    /// <summary>http://127.0.0.1:PORT</summary>
    public string BaseUrl { get; private set; } = "";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>
    /// The signing folder (local CA, signer, watermark key) every server of this test run shares, so
    /// tests never touch the user's ~/.config/kinema/signing; pass it as KINEMA_SIGNING_DIR to verify.
    /// </summary>
    public static string SigningFolder => Signing.Value;

    private static readonly Lazy<string> Signing = new(() =>
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kinema-server-signing-{Environment.ProcessId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return folder;
    });

    /// <summary>The policy audit log of a server started on <paramref name="dataFolder"/>.</summary>
    public static string AuditLog(string dataFolder) => System.IO.Path.Combine(dataFolder, "policy-audit.jsonl");

    public static ServerProcess Start(string dataFolder, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dataFolder,
        };
        foreach (var arg in new[] { Repo.CliDll, "serve", "--model", TinyModel.Path, "--port", "0", "--data", dataFolder }.Concat(extraArgs))
            info.ArgumentList.Add(arg);
        info.Environment.Remove("KINEMA_MODEL");
        // The responsibility layer's settings: the shipped policy, test-run keys, a per-server audit log.
        foreach (var name in new[] { "KINEMA_POLICY", "KINEMA_SIGNING_CERT", "KINEMA_SIGNING_KEY", "KINEMA_WATERMARK_KEY" }) info.Environment.Remove(name);
        info.Environment["KINEMA_SIGNING_DIR"] = SigningFolder;
        info.Environment["KINEMA_AUDIT_LOG"] = AuditLog(dataFolder);
        var process = Process.Start(info)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            server.Append(e.Data);
            if (e.Data.StartsWith("listening on ", StringComparison.Ordinal)) listening.TrySetResult(e.Data["listening on ".Length..].Trim());
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server.Append(e.Data); };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("kinema serve exited before listening"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.BaseUrl = listening.Task.WaitAsync(TimeSpan.FromSeconds(90)).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            throw new InvalidOperationException($"kinema serve did not start: {e.Message}\n{server.Log}", e);
        }
        return server;
    }

    private void Append(string line)
    {
        lock (_log) _log.AppendLine(line);
    }

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash or power loss.</summary>
    public void Crash()
    {
        _process.Kill(entireProcessTree: true);
        if (_process.WaitForExit(30_000)) _process.WaitForExit();
    }

    /// <summary>SIGTERM, as systemd or docker stop sends it; returns the exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (kill(_process.Id, 15) != 0) throw new InvalidOperationException($"could not signal process {_process.Id}");
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
            throw new TimeoutException($"kinema serve did not stop within {timeout.TotalSeconds}s of SIGTERM\n{Log}");
        _process.WaitForExit();                                                 // drains the redirected output into Log
        return _process.ExitCode;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(30_000);
        }
        _process.Dispose();
    }
}
