namespace Kinema.Wan.Tests.TextVae;

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kinema-wan-textvae-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A mapped safetensors file may still be open on some platforms; the OS cleans temp eventually.
        }
    }
}

/// <summary>Where the reference fixtures from tools/wan-fixtures/make_text_vae_fixtures.py live.</summary>
internal static class TextVaeFixtures
{
    public const string RelativeFolder = "tests/Kinema.Wan.Tests/Fixtures/text_vae";

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Kinema.slnx"))) return dir.FullName;
            }
            throw new InvalidOperationException($"cannot find the repository root (Kinema.slnx) above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The fixture path, or a failed assertion explaining how to generate the fixtures (never a silent pass).</summary>
    public static string Require(string relative)
    {
        string path = System.IO.Path.Combine(RepoRoot, RelativeFolder, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Fail($"reference fixture '{System.IO.Path.Combine(RelativeFolder, relative)}' is missing. Generate the fixtures with the real " +
                "transformers/diffusers code: python tools/wan-fixtures/make_text_vae_fixtures.py --out " + RelativeFolder +
                " (see tools/wan-fixtures/README-text-vae.md), then commit them.");
        return path;
    }
}
