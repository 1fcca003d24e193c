using System.Diagnostics;
using System.Text.Json;
using Kinema.Media;
using Kinema.Responsibility.C2pa;

namespace Kinema.Responsibility.Tests;

/// <summary>Temporary folders, test credentials and synthetic frames shared by the tests.</summary>
public static class TestSupport
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "kinema-resp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>One generated operator identity for the whole run (generation is the slow part).</summary>
    public static string SigningFolder { get; } = Path.Combine(TempFolder(), "signing");

    public static SigningCredentials Credentials() => SigningKeyStore.LoadOrCreate(SigningFolder);

    /// <summary>Smooth moving gradients with a textured band and a bright square: typical, not trivial, content.</summary>
    public static List<RgbFrame> Frames(int width, int height, int count, int seed = 1)
    {
        var random = new Random(seed);
        var noise = new byte[width * height];
        random.NextBytes(noise);
        var frames = new List<RgbFrame>();
        for (int t = 0; t < count; t++)
        {
            var frame = new RgbFrame(width, height);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int r = (x * 255 / width + t * 3) % 256, g = y * 200 / height + 20, b = 120;
                    if (y > height * 2 / 3) g = 90 + noise[y * width + x] % 40;
                    if (Math.Abs(x - width / 3 - t * 2) < width / 8 && Math.Abs(y - height / 3) < height / 8) (r, g, b) = (240, 230, 60);
                    frame.SetPixel(x, y, (byte)r, (byte)g, (byte)b);
                }
            frames.Add(frame);
        }
        return frames;
    }

    public static ManifestContent Content(string format = "video/mp4") => new()
    {
        VideoId = "vid_test",
        Model = "kinema-test-model",
        PromptSha256 = new string('a', 64),
        CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        WatermarkPayload = "0123456789abcdef",
        Format = format,
    };

    public static void RunFfmpeg(params string[] arguments)
    {
        var info = new ProcessStartInfo(Ffmpeg.Locate() ?? throw new InvalidOperationException("tests need ffmpeg")) { RedirectStandardError = true };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {errors}");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kinema.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Kinema.slnx not found above the test binaries");
    }
}

/// <summary>
/// The C2PA project's own reader (c2pa-rs compiled to WebAssembly, npm @contentauth/c2pa-wasm) run by
/// node on js/verify-c2pa.mjs. Installed by build/install-responsibility-test-deps.sh.
/// </summary>
public static class IndependentReader
{
    public static string ScriptFolder { get; } = Path.Combine(TestSupport.RepoRoot, "tests", "Kinema.Responsibility.Tests", "js");

    public static string? UnavailableReason { get; } = FindUnavailableReason();

    public static JsonElement Read(string file, string mimeType, string? trustAnchors = null)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = ScriptFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["verify-c2pa.mjs", file, mimeType, .. trustAnchors is null ? (string[])[] : [trustAnchors]]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"the independent reader failed: {errors}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string? FindUnavailableReason()
    {
        if (!Directory.Exists(Path.Combine(ScriptFolder, "node_modules", "@contentauth", "c2pa-wasm")))
            return "the independent C2PA reader is not installed: run build/install-responsibility-test-deps.sh (npm ci in tests/Kinema.Responsibility.Tests/js)";
        try
        {
            using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0 ? null : "node is not working";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "node is not on PATH (needed for the independent C2PA reader)";
        }
    }
}

/// <summary>A fact that is skipped, with the reason, when the independent reader is not installed.</summary>
public sealed class IndependentReaderFactAttribute : FactAttribute
{
    public IndependentReaderFactAttribute()
    {
        if (IndependentReader.UnavailableReason is { } reason) Skip = reason;
    }
}
