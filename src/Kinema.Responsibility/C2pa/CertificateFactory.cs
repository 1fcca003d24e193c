using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// Makes a two-level chain that meets the C2PA certificate profile: validators refuse self-signed
/// signing certificates, so a local root CA issues an end-entity certificate with a critical
/// keyUsage of digitalSignature only, an extendedKeyUsage of emailProtection and documentSigning,
/// basicConstraints cA=false, and subject/authority key identifiers.
/// </summary>
internal static class CertificateFactory
{
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    private const string DocumentSigning = "1.3.6.1.5.5.7.3.36";

    public static (X509Certificate2 Ca, X509Certificate2 Signer) CreateChain(ECDsa caKey, ECDsa signerKey, string hostName, DateTimeOffset now)
    {
        string host = string.Concat(hostName.Where(ch => char.IsLetterOrDigit(ch) || ch is '-' or '.'));
        var caRequest = new CertificateRequest($"CN=Kinema operator root CA ({host}), O=Kinema operator", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caSki = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        var signerRequest = new CertificateRequest($"CN=Kinema content credentials ({host}), O=Kinema operator", signerKey, HashAlgorithmName.SHA256);
        signerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        signerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        signerRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(EmailProtection), new Oid(DocumentSigning)], false));
        signerRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(signerRequest.PublicKey, false));
        signerRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using X509Certificate2 signed = signerRequest.Create(ca, now.AddMinutes(-5), now.AddYears(5), serial);
        return (ca, X509CertificateLoader.LoadCertificate(signed.RawData));
    }
}
