using System.Formats.Cbor;
using System.Security.Cryptography;

namespace Kinema.Responsibility.C2pa;

/// <summary>Where a hard binding's hash excludes the manifest's own container, and the hash itself.</summary>
internal readonly record struct DataHashBinding(long ExclusionStart, long ExclusionLength, byte[] Hash, int PadLength);

/// <summary>
/// Assembles a C2PA 2.x manifest store (JUMBF): one manifest holding an assertion store (actions,
/// Kinema's generation record, the data hash), a v2 claim listing each assertion by hashed URI, and
/// the COSE claim signature.
/// </summary>
internal sealed class ManifestStoreBuilder(ManifestContent content, SigningCredentials credentials)
{
    private readonly string _manifestLabel = "urn:c2pa:" + Guid.NewGuid().ToString("D");
    private readonly string _instanceId = "xmp:iid:" + Guid.NewGuid().ToString("D");

    public byte[] Build(DataHashBinding binding)
    {
        (string Label, byte[] Box)[] assertions =
        [
            (C2paIds.ActionsLabel, AssertionBox(C2paIds.ActionsLabel, ActionsCbor())),
            (C2paIds.GenerationLabel, AssertionBox(C2paIds.GenerationLabel, GenerationCbor())),
            (C2paIds.DataHashLabel, AssertionBox(C2paIds.DataHashLabel, DataHashCbor(binding))),
        ];
        byte[] claim = ClaimCbor(assertions);
        byte[] signature = CoseSign1.Sign(claim, credentials);

        byte[] assertionStore = Jumbf.SuperBox(C2paIds.AssertionStore, C2paIds.AssertionsLabel, [.. assertions.Select(a => a.Box)]);
        byte[] claimBox = Jumbf.SuperBox(C2paIds.Claim, C2paIds.ClaimLabel, Jumbf.CborBox(claim));
        byte[] signatureBox = Jumbf.SuperBox(C2paIds.Signature, C2paIds.SignatureLabel, Jumbf.CborBox(signature));
        byte[] manifest = Jumbf.SuperBox(C2paIds.Manifest, _manifestLabel, assertionStore, claimBox, signatureBox);
        return Jumbf.SuperBox(C2paIds.ManifestStore, C2paIds.StoreLabel, manifest);
    }

    private static byte[] AssertionBox(string label, byte[] cbor) => Jumbf.SuperBox(C2paIds.CborAssertion, label, Jumbf.CborBox(cbor));

    private byte[] ClaimCbor((string Label, byte[] Box)[] assertions)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(null);
        w.WriteTextString("instanceID");
        w.WriteTextString(_instanceId);
        w.WriteTextString("claim_generator_info");
        WriteGenerator(w);
        w.WriteTextString("signature");
        w.WriteTextString($"self#jumbf=/{C2paIds.StoreLabel}/{_manifestLabel}/{C2paIds.SignatureLabel}");
        w.WriteTextString("created_assertions");
        w.WriteStartArray(assertions.Length);
        foreach (var (label, box) in assertions)
        {
            w.WriteStartMap(2);
            w.WriteTextString("url");
            w.WriteTextString($"self#jumbf={C2paIds.AssertionsLabel}/{label}");
            w.WriteTextString("hash");
            // The hashed URI covers the assertion superbox without its 8-byte box header.
            w.WriteByteString(SHA256.HashData(box.AsSpan(8)));
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteTextString("alg");
        w.WriteTextString("sha256");
        w.WriteEndMap();
        return w.Encode();
    }

    private void WriteGenerator(CborWriter w)
    {
        w.WriteStartMap(2);
        w.WriteTextString("name");
        w.WriteTextString(content.GeneratorName);
        w.WriteTextString("version");
        w.WriteTextString(content.GeneratorVersion);
        w.WriteEndMap();
    }

    private byte[] ActionsCbor()
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(1);
        w.WriteTextString("actions");
        w.WriteStartArray(1);
        w.WriteStartMap(null);
        w.WriteTextString("action");
        w.WriteTextString("c2pa.created");
        w.WriteTextString("digitalSourceType");
        w.WriteTextString(C2paIds.TrainedAlgorithmicMedia);
        w.WriteTextString("softwareAgent");
        WriteGenerator(w);
        w.WriteTextString("when");
        w.WriteDateTimeOffset(content.CreatedAt);
        w.WriteTextString("description");
        w.WriteTextString($"Generated from a text prompt by the model '{content.Model}'");
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteEndMap();
        return w.Encode();
    }

    private byte[] GenerationCbor()
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(null);
        w.WriteTextString("video_id");
        w.WriteTextString(content.VideoId);
        w.WriteTextString("model");
        w.WriteTextString(content.Model);
        w.WriteTextString("prompt_sha256");
        w.WriteTextString(content.PromptSha256);
        if (content.NegativePromptSha256 is { } negative)
        {
            w.WriteTextString("negative_prompt_sha256");
            w.WriteTextString(negative);
        }
        w.WriteTextString("created");
        w.WriteDateTimeOffset(content.CreatedAt);
        w.WriteTextString("format");
        w.WriteTextString(content.Format);
        if (content.WatermarkPayload is { } payload)
        {
            w.WriteTextString("watermark");
            w.WriteStartMap(2);
            w.WriteTextString("scheme");
            w.WriteTextString(Watermark.WatermarkCodec.SchemeName);
            w.WriteTextString("payload");
            w.WriteTextString(payload);
            w.WriteEndMap();
        }
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] DataHashCbor(DataHashBinding binding)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(5);
        w.WriteTextString("exclusions");
        w.WriteStartArray(1);
        w.WriteStartMap(2);
        w.WriteTextString("start");
        w.WriteInt64(binding.ExclusionStart);
        w.WriteTextString("length");
        w.WriteInt64(binding.ExclusionLength);
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteTextString("name");
        w.WriteTextString("jumbf manifest");
        w.WriteTextString("alg");
        w.WriteTextString("sha256");
        w.WriteTextString("hash");
        w.WriteByteString(binding.Hash);
        w.WriteTextString("pad");
        w.WriteByteString(new byte[binding.PadLength]);
        w.WriteEndMap();
        return w.Encode();
    }
}
