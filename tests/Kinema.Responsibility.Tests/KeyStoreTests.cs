using System.Security.Cryptography.X509Certificates;
using Kinema.Responsibility.C2pa;

namespace Kinema.Responsibility.Tests;

public sealed class KeyStoreTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void First_use_generates_owner_only_keys_and_later_uses_reuse_them()
    {
        string folder = Path.Combine(TestSupport.TempFolder(), "signing");
        string first, second;
        using (var a = SigningKeyStore.LoadOrCreate(folder)) first = a.Chain[0].Thumbprint;
        using (var b = SigningKeyStore.LoadOrCreate(folder)) second = b.Chain[0].Thumbprint;
        Assert.Equal(first, second);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, SigningKeyStore.KeyFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, SigningKeyStore.CaKeyFileName)));
    }

    [Fact]
    public void The_signing_certificate_meets_the_c2pa_profile()
    {
        using var credentials = TestSupport.Credentials();
        X509Certificate2 leaf = credentials.Chain[0];
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.4");
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.NotEqual(leaf.Subject, leaf.Issuer);
        Assert.Equal(CoseAlgorithm.ES256, credentials.Algorithm);
    }

    [Fact]
    public void Configured_paths_are_used_instead_of_the_folder()
    {
        string folder = Path.Combine(TestSupport.TempFolder(), "signing");
        using var generated = SigningKeyStore.LoadOrCreate(folder);
        using var configured = SigningKeyStore.Resolve(Path.Combine(folder, SigningKeyStore.ChainFileName), Path.Combine(folder, SigningKeyStore.KeyFileName), folder: Path.Combine(folder, "unused"));
        Assert.Equal(generated.Chain[0].Thumbprint, configured.Chain[0].Thumbprint);
        Assert.False(Directory.Exists(Path.Combine(folder, "unused")));
    }
}
