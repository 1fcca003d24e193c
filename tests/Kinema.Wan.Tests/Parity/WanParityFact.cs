namespace Kinema.Wan.Tests.Parity;

/// <summary>
/// The parity tests compare against fixtures produced by the reference Python code (tools/wan-fixtures). They are
/// opt-in, so the repository's default <c>dotnet test Kinema.slnx</c> stays green while the fixtures are pending:
/// set <c>KINEMA_WAN_PARITY=1</c> to run them. Once opted in, a missing fixture fails the test loudly, saying how to
/// make it; it never passes vacuously.
/// </summary>
internal static class WanParity
{
    public const string OptInVariable = "KINEMA_WAN_PARITY";

    public static bool Enabled => Environment.GetEnvironmentVariable(OptInVariable) == "1";

    public static string? SkipReason => Enabled ? null
        : $"Wan parity test: opt in with {OptInVariable}=1 after generating the fixtures (tools/wan-fixtures/README.md)";

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

/// <summary>A <see cref="FactAttribute"/> that runs only when <c>KINEMA_WAN_PARITY=1</c> (see <see cref="WanParity"/>).</summary>
public sealed class WanParityFactAttribute : FactAttribute
{
    public WanParityFactAttribute() => Skip = WanParity.SkipReason;
}

/// <summary>A <see cref="TheoryAttribute"/> that runs only when <c>KINEMA_WAN_PARITY=1</c> (see <see cref="WanParity"/>).</summary>
public sealed class WanParityTheoryAttribute : TheoryAttribute
{
    public WanParityTheoryAttribute() => Skip = WanParity.SkipReason;
}
