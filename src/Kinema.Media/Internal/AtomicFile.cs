namespace Kinema.Media.Internal;

/// <summary>
/// A temporary file beside the target (<c>.name.tmp-GUID.ext</c>, same folder so the final rename is
/// atomic on one file system). <see cref="Commit"/> renames it over the target; <see cref="Dispose"/>
/// without commit deletes it, so a failed write never leaves debris or clobbers an existing file.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private bool _committed;

    public AtomicFile(string targetPath)
    {
        TargetPath = Path.GetFullPath(targetPath);
        string folder = Path.GetDirectoryName(TargetPath)
            ?? throw new ArgumentException($"'{targetPath}' has no parent folder", nameof(targetPath));
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"cannot write '{TargetPath}': folder '{folder}' does not exist");
        string name = Path.GetFileNameWithoutExtension(TargetPath);
        string extension = Path.GetExtension(TargetPath);
        TempPath = Path.Combine(folder, $".{name}.tmp-{Guid.NewGuid():N}{extension}");
    }

    public string TargetPath { get; }

    public string TempPath { get; }

    public void Commit()
    {
        if (!File.Exists(TempPath))
            throw new MediaException($"cannot finish '{TargetPath}': its temporary file '{TempPath}' is missing");
        File.Move(TempPath, TargetPath, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        try
        {
            File.Delete(TempPath);
        }
        catch (IOException)
        {
            // Best effort: the write already failed and that error is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Writes a whole file atomically through <paramref name="write"/>.</summary>
    public static void Write(string targetPath, Action<Stream> write)
    {
        using var file = new AtomicFile(targetPath);
        using (var stream = new FileStream(file.TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            write(stream);
        }
        file.Commit();
    }
}
