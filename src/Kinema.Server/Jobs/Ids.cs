using System.Security.Cryptography;

namespace Kinema.Server.Jobs;

/// <summary>Unguessable ids in OpenAI's style (<c>video_…</c>, <c>char_…</c>): knowing one id tells nothing about another.</summary>
public static class Ids
{
    public static string New(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

    /// <summary>Ids come back in URLs; anything not shaped like ours cannot exist, and is never used as a path.</summary>
    public static bool LooksValid(string id, string prefix)
        => id.Length == prefix.Length + 33 && id.StartsWith(prefix + "_", StringComparison.Ordinal)
           && id.AsSpan(prefix.Length + 1).ContainsAnyExcept("0123456789abcdef") == false;
}
