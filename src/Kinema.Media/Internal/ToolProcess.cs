using System.Diagnostics;

namespace Kinema.Media.Internal;

/// <summary>A started ffmpeg/ffprobe process with stderr drained into a tail for error messages.</summary>
internal sealed class ToolProcess : IDisposable
{
    private ToolProcess(Process process, bool stdin)
    {
        Process = process;
        Stderr = new StderrTail(process);
        HasStdin = stdin;
    }

    private bool _disposed;

    public Process Process { get; }

    public StderrTail Stderr { get; }

    private bool HasStdin { get; }

    public static ToolProcess Start(string executable, IEnumerable<string> arguments, bool redirectStdin)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        try
        {
            var process = Process.Start(info)
                ?? throw new MediaException($"could not start '{executable}'");
            return new ToolProcess(process, redirectStdin);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MediaException($"could not start '{executable}': {e.Message}", e);
        }
    }

    /// <summary>Stops the process if it is still running (used when a write is abandoned).</summary>
    public void Kill()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        if (HasStdin)
        {
            try
            {
                Process.StandardInput.Dispose();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The pipe is broken or already closed; nothing left to flush.
            }
        }
        Process.Dispose();
    }
}
