namespace Kinema.Responsibility.C2pa;

/// <summary>Where a file format keeps a C2PA manifest store, and how to put one there.</summary>
internal interface IManifestContainer
{
    string MimeType { get; }

    /// <summary>Bytes the container adds around the JUMBF store (chunk or box headers).</summary>
    int Overhead { get; }

    /// <summary>The file without any manifest store it already has (internal offsets adjusted).</summary>
    byte[] RemoveExisting(byte[] asset);

    /// <summary>Where in a file without a manifest the store's container goes.</summary>
    int InsertionOffset(byte[] asset);

    /// <summary>The file with <paramref name="store"/> wrapped and inserted at <paramref name="offset"/> (internal offsets adjusted).</summary>
    byte[] Insert(byte[] asset, int offset, byte[] store);

    /// <summary>The embedded store and the byte range of its whole container, or null when there is none.</summary>
    EmbeddedStore? Find(byte[] asset);
}

/// <summary>A manifest store found in a file: the JUMBF bytes and the container's position.</summary>
internal sealed record EmbeddedStore(ReadOnlyMemory<byte> Jumbf, long ContainerStart, long ContainerLength);
