using System.Security.Cryptography;
using System.Text;

namespace Kinema.Server.Auth;

/// <summary>
/// Bearer keys from a file: one key per line, optionally preceded by a label and whitespace
/// (<c>alice sk-kinema-…</c>); blank lines and lines starting with # are ignored. Each key is its own
/// owner: it sees only the videos and characters created with it. Owners are stored as a hash of the
/// key, so the database never holds a usable key.
/// </summary>
public sealed class ApiKeys
{
    /// <summary>The owner of everything when the server runs without keys.</summary>
    public const string Anonymous = "";

    private readonly Dictionary<string, (string Owner, string Label)> _byKey;

    private ApiKeys(Dictionary<string, (string Owner, string Label)> byKey) => _byKey = byKey;

    public static ApiKeys None { get; } = new([]);

    public bool Enabled => _byKey.Count > 0;

    public int Count => _byKey.Count;

    public static ApiKeys Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"API keys file not found: {path}", path);
        var byKey = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 2) throw new InvalidDataException($"{path}:{lineNumber}: expected 'KEY' or 'LABEL KEY', got {parts.Length} words");
            string key = parts[^1];
            string label = parts.Length == 2 ? parts[0] : $"key{byKey.Count + 1}";
            if (key.Length < 16) throw new InvalidDataException($"{path}:{lineNumber}: key is {key.Length} characters; use at least 16 (e.g. `openssl rand -hex 24`)");
            if (!byKey.TryAdd(key, (OwnerOf(key), label))) throw new InvalidDataException($"{path}:{lineNumber}: duplicate key");
        }
        if (byKey.Count == 0) throw new InvalidDataException($"{path} contains no keys; remove --api-keys to serve without authentication");
        return new ApiKeys(byKey);
    }

    /// <summary>The owner id and label of a presented key, or null when it is not one of ours.</summary>
    public (string Owner, string Label)? Find(string key)
    {
        // Look up by hash-equal comparison of every key so timing does not reveal how much of a key matched.
        (string, string)? found = null;
        byte[] presented = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        foreach (var (known, value) in _byKey)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(known)))) found = value;
        }
        return found;
    }

    private static string OwnerOf(string key) => "key_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
}
