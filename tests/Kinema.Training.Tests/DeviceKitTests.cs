using System.Diagnostics;

namespace Kinema.Training.Tests;

/// <summary>
/// Training on a lent GPU machine (DEVELOPERS.md) sends the working tree with the trainer's kit (12.4 MiB), in at
/// most 64 MiB in all (tools/device/pack.sh refuses above 62): a model folder added to models/ without removing another would make every device call fail.
/// </summary>
public class DeviceKitTests
{
    private const long TreeLimitBytes = 48L << 20;

    [GitCheckoutFact]
    public void Tracked_files_leave_room_for_the_device_kit_under_the_64_MiB_limit()
    {
        string root = RepoRoot();
        var info = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "ls-files", "-z" }) info.ArgumentList.Add(a);
        using var git = Process.Start(info)!;
        string listing = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git ls-files failed in {root}: {git.StandardError.ReadToEnd()}");

        var sizes = listing.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(path => Path.Combine(root, path))
            .Where(File.Exists)
            .Select(path => (Path: path, Bytes: new FileInfo(path).Length))
            .ToList();
        long total = sizes.Sum(s => s.Bytes);
        string largest = string.Join(", ", sizes.GroupBy(s => TopFolder(root, s.Path)).Select(g => (g.Key, Bytes: g.Sum(s => s.Bytes)))
            .OrderByDescending(g => g.Bytes).Take(4).Select(g => $"{g.Key} {g.Bytes >> 20} MiB"));
        Assert.True(total <= TreeLimitBytes, $"the tracked files take {total >> 20} MiB, over {TreeLimitBytes >> 20} MiB (largest: {largest})");
    }

    private static string TopFolder(string root, string path)
    {
        var parts = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar);
        return parts.Length > 2 ? Path.Combine(parts[0], parts[1]) : parts[0];
    }

    private static string RepoRoot() => FindRepoRoot() ?? throw new InvalidOperationException("Kinema.slnx not found above the test assembly");

    internal static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kinema.slnx"))) return dir.FullName;
        return null;
    }
}

/// <summary>Skips, saying why, where the sources are not a git checkout (a source tarball): no tracked files to list.</summary>
public sealed class GitCheckoutFactAttribute : FactAttribute
{
    public GitCheckoutFactAttribute()
    {
        // .git is a folder in a clone and a file in a worktree.
        string dotGit = Path.Combine(DeviceKitTests.FindRepoRoot() ?? "", ".git");
        if (!Directory.Exists(dotGit) && !File.Exists(dotGit)) Skip = $"not a git checkout ({dotGit} is missing), so the tracked files cannot be listed";
    }
}
