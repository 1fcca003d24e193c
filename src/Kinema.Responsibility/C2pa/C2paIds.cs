namespace Kinema.Responsibility.C2pa;

/// <summary>Content-type UUIDs and labels fixed by the C2PA specification (JUMBF superbox types).</summary>
internal static class C2paIds
{
    // Each C2PA type is a four-character code followed by the ISO "0011-0010-8000-00AA00389B71" suffix.
    public static readonly byte[] ManifestStore = TypeUuid("c2pa");
    public static readonly byte[] Manifest = TypeUuid("c2ma");
    public static readonly byte[] AssertionStore = TypeUuid("c2as");
    public static readonly byte[] Claim = TypeUuid("c2cl");
    public static readonly byte[] Signature = TypeUuid("c2cs");
    public static readonly byte[] CborAssertion = TypeUuid("cbor");

    /// <summary>The user type of the ISO BMFF <c>uuid</c> box that carries a manifest store in MP4.</summary>
    public static readonly byte[] BmffUserType =
        [0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81];

    public const string StoreLabel = "c2pa";
    public const string AssertionsLabel = "c2pa.assertions";
    public const string ClaimLabel = "c2pa.claim.v2";
    public const string SignatureLabel = "c2pa.signature";
    public const string ActionsLabel = "c2pa.actions.v2";
    public const string DataHashLabel = "c2pa.hash.data";
    public const string GenerationLabel = "org.kinema.generation";

    public const string TrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

    private static byte[] TypeUuid(string fourCc)
    {
        byte[] suffix = [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        return [.. System.Text.Encoding.ASCII.GetBytes(fourCc), .. suffix];
    }
}
