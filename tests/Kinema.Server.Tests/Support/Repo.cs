namespace Kinema.Server.Tests.Support;

/// <summary>Where the checkout, the built CLI and the JavaScript test helpers are.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string JsFolder => Path.Combine(Root, "tests", "Kinema.Server.Tests", "js");

    public static string CliDll
    {
        get
        {
            // Same configuration as the tests themselves (bin/<Configuration>/<tfm>/).
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string dll = Path.Combine(Root, "src", "Kinema.Cli", "bin", testBin.Parent!.Name, testBin.Name, "kinema.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"CLI not built at {dll}");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kinema.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Kinema.slnx not found above the test binaries");
    }
}
