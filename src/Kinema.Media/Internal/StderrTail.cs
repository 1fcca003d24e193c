using System.Diagnostics;
using System.Text;

namespace Kinema.Media.Internal;

/// <summary>
/// Drains a child process's stderr on its own thread (an undrained pipe would stall ffmpeg once the
/// pipe buffer fills) and keeps the last lines for error messages.
/// </summary>
internal sealed class StderrTail
{
    private const int MaxLines = 15;
    private readonly Queue<string> _lines = new();
    private readonly Thread _thread;

    public StderrTail(Process process)
    {
        _thread = new Thread(() => Drain(process.StandardError)) { IsBackground = true, Name = "ffmpeg stderr" };
        _thread.Start();
    }

    /// <summary>The last lines seen, after waiting (briefly) for the pipe to close.</summary>
    public string Text()
    {
        _thread.Join(TimeSpan.FromSeconds(5));
        lock (_lines)
        {
            if (_lines.Count == 0) return "(ffmpeg printed nothing)";
            var text = new StringBuilder();
            foreach (string line in _lines) text.Append("\n  ").Append(line);
            return text.ToString();
        }
    }

    private void Drain(StreamReader reader)
    {
        try
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                lock (_lines)
                {
                    _lines.Enqueue(line.Length > 300 ? line[..300] + "…" : line);
                    if (_lines.Count > MaxLines) _lines.Dequeue();
                }
            }
        }
        catch (IOException)
        {
            // The process was killed; what was read so far is the useful part.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
