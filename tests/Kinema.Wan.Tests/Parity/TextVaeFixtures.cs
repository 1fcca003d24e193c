namespace Kinema.Wan.Tests.Parity;

/// <summary>Where the reference fixtures from tools/wan-fixtures/make_text_vae_fixtures.py live.</summary>
internal static class TextVaeFixtures
{
    public const string RelativeFolder = "tests/Kinema.Wan.Tests/Fixtures/text_vae";

    /// <summary>The fixture path, or a failed assertion explaining how to generate the fixtures (never a silent pass).</summary>
    public static string Require(string relative)
    {
        string path = System.IO.Path.Combine(WanParity.RepoRoot, RelativeFolder, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Fail($"reference fixture '{System.IO.Path.Combine(RelativeFolder, relative)}' is missing. Generate the fixtures with the real " +
                "transformers/diffusers code: python tools/wan-fixtures/make_text_vae_fixtures.py --out " + RelativeFolder +
                " (see tools/wan-fixtures/README-text-vae.md), then commit them.");
        return path;
    }
}
