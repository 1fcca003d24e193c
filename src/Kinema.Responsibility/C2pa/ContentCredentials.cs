using System.Security.Cryptography;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// Embeds signed C2PA Content Credentials into MP4 and PNG files. The hard binding is a
/// <c>c2pa.hash.data</c> assertion: a SHA-256 over every byte of the file except the manifest's own
/// container, so any change to the pictures, the sound or the metadata outside the manifest breaks it.
/// Sign only the final file: a later remux rewrites bytes and invalidates the binding.
/// </summary>
public static class ContentCredentials
{
    /// <summary>Signs <paramref name="asset"/> (MP4 or PNG bytes), replacing any manifest it had.</summary>
    public static byte[] Embed(byte[] asset, ManifestContent content, SigningCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(asset);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(credentials);
        IManifestContainer container = ContainerFor(asset)
            ?? throw new ArgumentException("Content Credentials can be embedded in MP4 and PNG files only", nameof(asset));
        byte[] clean = container.RemoveExisting(asset);
        int at = container.InsertionOffset(clean);
        var builder = new ManifestStoreBuilder(content with { Format = container.MimeType }, credentials);
        var placeholderHash = new byte[32];

        // The store records its own container's length, and that length depends on how many bytes the
        // CBOR integers take; settle it by rebuilding, absorbing any shortfall into the assertion's pad.
        long total = container.Overhead + builder.Build(new DataHashBinding(at, 0, placeholderHash, 0)).Length;
        int pad = 0;
        byte[]? store = null;
        for (int attempt = 0; attempt < 16 && store is null; attempt++)
        {
            byte[] candidate = builder.Build(new DataHashBinding(at, total, placeholderHash, pad));
            long actual = container.Overhead + candidate.Length;
            if (actual == total) store = candidate;
            else if (actual < total) pad += (int)(total - actual);
            else total = actual;
        }
        if (store is null) throw new InvalidOperationException("the manifest size did not settle; this is a bug in the manifest builder");

        byte[] placed = container.Insert(clean, at, store);
        byte[] hash = DataHash(placed, at, total);
        byte[] final = builder.Build(new DataHashBinding(at, total, hash, pad));
        if (final.Length != store.Length) throw new InvalidOperationException("the signed manifest changed size after hashing; this is a bug in the manifest builder");
        return container.Insert(clean, at, final);
    }

    /// <summary>The container format for these bytes, or null when Content Credentials are not supported for it.</summary>
    internal static IManifestContainer? ContainerFor(ReadOnlySpan<byte> asset) =>
        PngContainer.HasSignature(asset) ? new PngContainer()
        : Mp4Container.LooksLikeMp4(asset) ? new Mp4Container()
        : null;

    /// <summary>SHA-256 of <paramref name="data"/> without the excluded range.</summary>
    internal static byte[] DataHash(byte[] data, long excludedStart, long excludedLength)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(data, 0, (int)excludedStart);
        long after = excludedStart + excludedLength;
        hash.AppendData(data, (int)after, (int)(data.Length - after));
        return hash.GetHashAndReset();
    }
}
