using System.Security.Cryptography;
using System.Text;

namespace Kinema.Responsibility.Watermark;

/// <summary>
/// The secret that decides the watermark's chip signs and where each coded bit sits. Whoever holds
/// it can detect (and could forge or scrub) the mark, so it is the operator's, like the signing key:
/// <c>KINEMA_WATERMARK_KEY</c> (a passphrase), else <c>watermark.key</c> in the signing folder,
/// generated on first use with owner-only permissions.
/// </summary>
public sealed class WatermarkKey
{
    public const string FileName = "watermark.key";

    private readonly byte[] _secret;

    private WatermarkKey(byte[] secret) => _secret = secret;

    /// <summary>A key from a passphrase (the same text always gives the same key).</summary>
    public static WatermarkKey FromPassphrase(string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        return new WatermarkKey(SHA256.HashData(Encoding.UTF8.GetBytes("kinema-watermark-key:" + passphrase)));
    }

    /// <summary><c>KINEMA_WATERMARK_KEY</c> if set, else the key file in <paramref name="folder"/> (created when missing).</summary>
    public static WatermarkKey Resolve(string folder)
    {
        if (Environment.GetEnvironmentVariable("KINEMA_WATERMARK_KEY") is { Length: > 0 } passphrase) return FromPassphrase(passphrase);
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using var stream = new FileStream(path, options);
                using var writer = new StreamWriter(stream);
                writer.Write(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }
        string text = File.ReadAllText(path).Trim();
        try
        {
            byte[] secret = Convert.FromHexString(text);
            if (secret.Length < 16) throw new FormatException("too short");
            return new WatermarkKey(secret);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"'{path}' must hold at least 32 hex digits (a 128-bit or longer key)");
        }
    }

    /// <summary>A deterministic stream of pseudo-random bytes for one named use of the key.</summary>
    internal byte[] Stream(string purpose, int length)
    {
        var output = new byte[length];
        using var hmac = new HMACSHA256(_secret);
        int at = 0;
        for (int block = 0; at < length; block++)
        {
            byte[] chunk = hmac.ComputeHash(Encoding.UTF8.GetBytes($"{purpose}/{block}"));
            int take = Math.Min(chunk.Length, length - at);
            chunk.AsSpan(0, take).CopyTo(output.AsSpan(at));
            at += take;
        }
        return output;
    }
}
