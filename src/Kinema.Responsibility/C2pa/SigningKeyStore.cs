using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// Finds the operator's signing credentials: explicit paths, else <c>KINEMA_SIGNING_CERT</c> and
/// <c>KINEMA_SIGNING_KEY</c>, else a folder (default <c>$XDG_CONFIG_HOME/kinema/signing</c>, i.e.
/// <c>~/.config/kinema/signing</c>, or <c>KINEMA_SIGNING_DIR</c>) where a key pair is generated on first
/// use: a local root CA and an end-entity certificate it issues. The folder is owner-only (0700) and
/// the private keys 0600, so other local users can neither read nor replace the operator's identity.
/// </summary>
public static class SigningKeyStore
{
    public const string ChainFileName = "signer-chain.pem";
    public const string KeyFileName = "signer.key";
    public const string CaFileName = "ca.pem";
    public const string CaKeyFileName = "ca.key";

    private static readonly object GenerationLock = new();

    /// <summary>The folder used when no certificate is configured.</summary>
    public static string DefaultFolder()
    {
        if (Environment.GetEnvironmentVariable("KINEMA_SIGNING_DIR") is { Length: > 0 } configured) return configured;
        string config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "kinema", "signing");
    }

    /// <summary>Explicit paths win; then the environment; then the folder, generating credentials there if it has none.</summary>
    public static SigningCredentials Resolve(string? certificateChainPath = null, string? privateKeyPath = null, string? folder = null)
    {
        certificateChainPath ??= Environment.GetEnvironmentVariable("KINEMA_SIGNING_CERT") is { Length: > 0 } c ? c : null;
        privateKeyPath ??= Environment.GetEnvironmentVariable("KINEMA_SIGNING_KEY") is { Length: > 0 } k ? k : null;
        if (certificateChainPath is not null || privateKeyPath is not null)
        {
            if (certificateChainPath is null || privateKeyPath is null)
                throw new ArgumentException("a configured signing identity needs both a certificate chain (PEM) and its private key (PEM)");
            return SigningCredentials.Load(certificateChainPath, privateKeyPath);
        }
        return LoadOrCreate(folder ?? DefaultFolder());
    }

    /// <summary>Loads the credentials in <paramref name="folder"/>, creating them first if absent.</summary>
    public static SigningCredentials LoadOrCreate(string folder)
    {
        string chainPath = Path.Combine(folder, ChainFileName), keyPath = Path.Combine(folder, KeyFileName);
        if (File.Exists(chainPath) && File.Exists(keyPath)) return SigningCredentials.Load(chainPath, keyPath);
        lock (GenerationLock)
        {
            CreateOwnerOnlyFolder(folder);
            // Several processes may start at once (a server and the CLI, parallel tests): the first
            // to hold the lock file generates, the others then find its files.
            using (AcquireLock(Path.Combine(folder, ".generate.lock")))
            {
                if (!File.Exists(chainPath) || !File.Exists(keyPath)) Generate(folder);
            }
        }
        return SigningCredentials.Load(chainPath, keyPath);
    }

    /// <summary>The root certificate generated in <paramref name="folder"/>, which a verifier can be told to trust.</summary>
    public static X509Certificate2? LoadGeneratedRoot(string folder)
    {
        string path = Path.Combine(folder, CaFileName);
        return File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)) : null;
    }

    private static void CreateOwnerOnlyFolder(string folder)
    {
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static FileStream AcquireLock(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 300)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static void Generate(string folder)
    {

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (ca, signer) = CertificateFactory.CreateChain(caKey, signerKey, Environment.MachineName, DateTimeOffset.UtcNow);
        using (ca)
        using (signer)
        {
            // Keys first, so a crash in between leaves no chain without its key (the chain's presence triggers loading).
            WritePrivate(Path.Combine(folder, CaKeyFileName), caKey.ExportPkcs8PrivateKeyPem());
            WritePrivate(Path.Combine(folder, KeyFileName), signerKey.ExportPkcs8PrivateKeyPem());
            WritePublic(Path.Combine(folder, CaFileName), ca.ExportCertificatePem() + "\n");
            WritePublic(Path.Combine(folder, ChainFileName), signer.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
        }
    }

    private static void WritePrivate(string path, string pem)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static void WritePublic(string path, string pem)
    {
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
