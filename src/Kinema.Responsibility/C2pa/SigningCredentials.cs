using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// The operator's signing identity: an ECDSA key and its certificate chain (end-entity first), used
/// for the COSE signature over every claim. Only P-256 (ES256) and P-384 (ES384) keys are accepted,
/// the ECDSA curves the C2PA specification allows.
/// </summary>
public sealed class SigningCredentials : IDisposable
{
    internal SigningCredentials(ECDsa key, IReadOnlyList<X509Certificate2> chain, string source)
    {
        if (chain.Count == 0) throw new ArgumentException("a signing chain needs at least the end-entity certificate", nameof(chain));
        Key = key;
        Chain = chain;
        Source = source;
        Algorithm = key.KeySize switch
        {
            256 => CoseAlgorithm.ES256,
            384 => CoseAlgorithm.ES384,
            _ => throw new ArgumentException($"the signing key is a {key.KeySize}-bit ECDSA key; C2PA signing here needs P-256 or P-384"),
        };
        using var certificateKey = chain[0].GetECDsaPublicKey()
            ?? throw new ArgumentException($"the end-entity certificate '{chain[0].Subject}' does not hold an ECDSA public key");
        if (!certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            throw new ArgumentException($"the signing key does not belong to the certificate '{chain[0].Subject}'");
    }

    internal ECDsa Key { get; }

    /// <summary>End-entity certificate first, then each issuer.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    public CoseAlgorithm Algorithm { get; }

    /// <summary>Where these credentials came from (a folder or file paths), for messages.</summary>
    public string Source { get; }

    /// <summary>Loads a PEM certificate chain (end-entity first) and a PEM private key (PKCS#8 or SEC1).</summary>
    public static SigningCredentials Load(string certificateChainPath, string privateKeyPath)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certificateChainPath);
        if (chain.Count == 0) throw new InvalidDataException($"'{certificateChainPath}' holds no PEM certificate");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(privateKeyPath));
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new InvalidDataException($"'{privateKeyPath}' holds no unencrypted PEM ECDSA private key: {e.Message}", e);
        }
        return new SigningCredentials(key, [.. chain], $"{certificateChainPath} + {privateKeyPath}");
    }

    public void Dispose()
    {
        Key.Dispose();
        foreach (var certificate in Chain) certificate.Dispose();
    }
}

/// <summary>COSE algorithm identifiers (RFC 9053) for the ECDSA signatures used here.</summary>
public enum CoseAlgorithm
{
    ES256 = -7,
    ES384 = -35,
}
