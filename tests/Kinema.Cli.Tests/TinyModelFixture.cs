namespace Kinema.Cli.Tests;

/// <summary>A tiny random-weight model folder made with `kinema model init`, shared by a test class.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"kinema-cli-{Guid.NewGuid():N}");
    public string ModelFolder => Path.Combine(Root, "tiny");

    public TinyModelFixture()
    {
        Directory.CreateDirectory(Root);
        var result = CliRunner.Run("model", "init", ModelFolder, "--preset", "tiny", "--seed", "3");
        if (result.ExitCode != 0) throw new InvalidOperationException($"model init failed: {result.StdErr}");
    }

    public string NewPath(string name) => Path.Combine(Root, $"{Guid.NewGuid():N}-{name}");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
