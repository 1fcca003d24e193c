using System.Security.Cryptography;
using System.Text;

namespace Kinema.Server.Webhooks;

/// <summary>
/// Standard Webhooks signatures: <c>webhook-signature: v1,BASE64(HMAC-SHA256(key, "ID.TIMESTAMP.BODY"))</c>
/// where the key is the base64 part of a <c>whsec_…</c> secret. Receivers verify with any Standard
/// Webhooks library (or the openai SDKs' webhooks.unwrap, which use the same scheme).
/// </summary>
public sealed class WebhookSigner
{
    public const string SecretPrefix = "whsec_";
    private readonly byte[] _key;

    public WebhookSigner(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"a webhook secret looks like {SecretPrefix}BASE64 (Standard Webhooks)");
        try
        {
            _key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"the webhook secret after '{SecretPrefix}' is not valid base64");
        }
        if (_key.Length < 24) throw new ArgumentException($"the webhook secret is {_key.Length} bytes; use at least 24 (32 is usual)");
        Secret = secret;
    }

    public string Secret { get; }

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Sign(string id, long timestamp, string body)
        => "v1," + Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    /// <summary>Loads the secret kept in the data folder, creating it on first start so restarts keep signatures valid.</summary>
    public static WebhookSigner FromDataFolder(string dataRoot, string? configured)
    {
        if (configured is not null) return new WebhookSigner(configured);
        string path = Path.Combine(dataRoot, "webhook-secret");
        if (!File.Exists(path))
        {
            string temp = path + ".tmp";
            File.WriteAllText(temp, NewSecret() + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, path, overwrite: false);
        }
        return new WebhookSigner(File.ReadAllText(path).Trim());
    }
}
