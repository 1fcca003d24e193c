using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kinema.Responsibility.Policy;

/// <summary>
/// Appends one JSON line per decision: time, source, decision, categories and rules, and the SHA-256
/// of each checked field instead of its text (the text only when the policy's audit.include_prompts
/// is on). Lines are appended under an exclusive lock, so the CLI and a server can share one file.
/// Default location: <c>KINEMA_AUDIT_LOG</c>, else <c>$XDG_STATE_HOME/kinema/policy-audit.jsonl</c>
/// (<c>~/.local/state/kinema/policy-audit.jsonl</c>).
/// </summary>
public sealed class PolicyAuditLog(string path, bool includePrompts)
{
    public string Path { get; } = path;

    // Readable lines ("+" and quotes unescaped); still valid JSON, one object per line.
    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable("KINEMA_AUDIT_LOG") is { Length: > 0 } configured) return configured;
        string state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return System.IO.Path.Combine(state, "kinema", "policy-audit.jsonl");
    }

    /// <summary>The log at the default path, honouring the policy's audit setting.</summary>
    public static PolicyAuditLog ForPolicy(PolicyDocument policy, string? path = null) => new(path ?? DefaultPath(), policy.Audit.IncludePrompts);

    /// <summary>
    /// Appends one line. <paramref name="keyId"/> identifies who asked without being a credential (the
    /// server passes its owner id, a hash of the API key); null leaves it out.
    /// </summary>
    public void Append(PolicyDecision decision, IEnumerable<(string Field, string? Text)> fields, string source, DateTimeOffset? now = null, string? keyId = null)
    {
        var fieldRecords = new Dictionary<string, object>();
        foreach (var (field, text) in fields)
        {
            if (text is null) continue;
            var record = new Dictionary<string, string> { ["sha256"] = Sha256Hex(text) };
            if (includePrompts) record["text"] = text;
            fieldRecords[field] = record;
        }
        var line = new Dictionary<string, object?>
        {
            ["time"] = (now ?? DateTimeOffset.UtcNow).ToString("O"),
            ["source"] = source,
            ["policy"] = decision.PolicyName,
            ["decision"] = decision.Action.ToString().ToLowerInvariant(),
            ["categories"] = decision.Categories.ToArray(),
            ["matches"] = decision.Matches.Select(m => new Dictionary<string, string>
            {
                ["category"] = m.CategoryId,
                ["field"] = m.Field,
                ["rule"] = m.Rule,
            }).ToArray(),
            ["fields"] = fieldRecords,
        };
        if (keyId is not null) line["key_id"] = keyId;
        string json = JsonSerializer.Serialize(line, LineOptions) + "\n";
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (folder is not null) Directory.CreateDirectory(folder);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.None);
                stream.Write(Encoding.UTF8.GetBytes(json));
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(10); // another writer holds the lock
            }
        }
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
