namespace Kinema.Pipelines;

/// <summary>
/// Finds the model a command should use: --model, else $KINEMA_MODEL, else the folder named in
/// models/DEFAULT of the nearest Kinema checkout (looked for above the working directory and above the
/// executable).
/// </summary>
public static class ModelLocator
{
    public const string EnvironmentVariable = "KINEMA_MODEL";
    public const string DefaultFile = "DEFAULT";

    public static string Resolve(string? explicitFolder)
    {
        if (!string.IsNullOrWhiteSpace(explicitFolder)) return explicitFolder;
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        foreach (var modelsDir in CandidateModelsFolders())
        {
            string pointer = Path.Combine(modelsDir, DefaultFile);
            if (!File.Exists(pointer)) continue;
            string name = File.ReadAllText(pointer).Trim();
            if (name.Length > 0) return Path.Combine(modelsDir, name);
        }
        throw new FileNotFoundException(
            $"no model given and no default found: pass --model DIR, set {EnvironmentVariable}, or run from a Kinema checkout (models/{DefaultFile})");
    }

    /// <summary>Model folders under every models/ directory found, for `kinema info`.</summary>
    public static IReadOnlyList<string> FindInstalled()
        => CandidateModelsFolders()
            .SelectMany(dir => Directory.EnumerateDirectories(dir))
            .Where(dir => File.Exists(Path.Combine(dir, "config.json")))
            .Select(Path.GetFullPath)
            .Distinct()
            .ToList();

    private static IEnumerable<string> CandidateModelsFolders()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string models = Path.Combine(dir.FullName, "models");
                if (Directory.Exists(models) && File.Exists(Path.Combine(models, DefaultFile))) yield return models;
            }
        }
    }
}
