namespace Kinema.Wan.Tests.Parity;

/// <summary>
/// The parity tests compare against fixtures produced by the reference Python code (tools/wan-fixtures). A test runs
/// by default when its fixture is committed, so the default <c>dotnet test Kinema.slnx</c> guards the port against
/// regressions; a test whose fixture is not committed yet reports as skipped, naming the file. With
/// <c>KINEMA_WAN_PARITY=1</c> every parity test runs and a missing fixture fails loudly, saying how to make it; no
/// test ever passes vacuously.
/// </summary>
internal static class WanParity
{
    public const string StrictVariable = "KINEMA_WAN_PARITY";

    public static bool Strict => Environment.GetEnvironmentVariable(StrictVariable) == "1";

    /// <summary>Null (run) when strict or when <paramref name="fixture"/> (relative to Fixtures/) exists.</summary>
    public static string? SkipReason(string fixture)
    {
        if (Strict) return null;
        string path = fixture.StartsWith(WanParityPrefix, StringComparison.Ordinal)
            ? Path.Combine(WanParityFolder, fixture[WanParityPrefix.Length..])
            : Path.Combine(FixturesRoot, fixture);
        if (File.Exists(path) || Directory.Exists(path)) return null;
        return $"Wan parity fixture '{path}' is not there (tools/wan-fixtures/README.md); {StrictVariable}=1 makes this a failure";
    }

    public static string FixturesRoot => Path.Combine(RepoRoot, "tests", "Kinema.Wan.Tests", "Fixtures");

    private const string WanParityPrefix = "wan-parity/";

    /// <summary>The DiT/scheduler fixtures: Fixtures/wan-parity, or the folder named by KINEMA_WAN_FIXTURES.</summary>
    public static string WanParityFolder =>
        Environment.GetEnvironmentVariable("KINEMA_WAN_FIXTURES") is { } overridden && !string.IsNullOrWhiteSpace(overridden)
            ? overridden
            : Path.Combine(FixturesRoot, "wan-parity");

    /// <summary>The folder holding Kinema.slnx.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Kinema.slnx"))) return dir.FullName;
            }
            throw new InvalidOperationException($"cannot find the repository root (Kinema.slnx) above {AppContext.BaseDirectory}");
        }
    }
}

/// <summary>A <see cref="FactAttribute"/> that runs when its fixture (relative to Fixtures/) is committed, or always under KINEMA_WAN_PARITY=1.</summary>
public sealed class WanParityFactAttribute : FactAttribute
{
    public WanParityFactAttribute(string fixture) => Skip = WanParity.SkipReason(fixture);
}

/// <summary>A <see cref="TheoryAttribute"/> that runs when its fixture (relative to Fixtures/) is committed, or always under KINEMA_WAN_PARITY=1.</summary>
public sealed class WanParityTheoryAttribute : TheoryAttribute
{
    public WanParityTheoryAttribute(string fixture) => Skip = WanParity.SkipReason(fixture);
}
