using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// COSE_Sign1 (RFC 9052) with a detached payload, as C2PA signs a claim: the claim's CBOR bytes are
/// the payload of the Sig_structure but not carried in the message. The protected header holds the
/// algorithm and the x5chain (label 33), so the certificates are covered by the signature.
/// </summary>
internal static class CoseSign1
{
    private const int AlgorithmLabel = 1;
    private const int X5ChainLabel = 33;
    private const ulong Sign1Tag = 18;

    public static byte[] Sign(byte[] payload, SigningCredentials credentials)
    {
        byte[] protectedHeader = EncodeProtected(credentials.Algorithm, credentials.Chain);
        byte[] toBeSigned = SigStructure(protectedHeader, payload);
        byte[] signature = credentials.Key.SignData(toBeSigned, HashFor(credentials.Algorithm), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var writer = new CborWriter(CborConformanceMode.Canonical);
        writer.WriteTag((CborTag)Sign1Tag);
        writer.WriteStartArray(4);
        writer.WriteByteString(protectedHeader);
        writer.WriteStartMap(0);
        writer.WriteEndMap();
        writer.WriteNull();
        writer.WriteByteString(signature);
        writer.WriteEndArray();
        return writer.Encode();
    }

    /// <summary>A parsed message: algorithm, certificates (end-entity first) and the raw parts needed to verify.</summary>
    public sealed record Message(CoseAlgorithm Algorithm, IReadOnlyList<X509Certificate2> Chain, byte[] ProtectedHeader, byte[] Signature)
    {
        /// <summary>True when the signature over <paramref name="payload"/> verifies with the end-entity certificate's key.</summary>
        public bool Verify(byte[] payload)
        {
            using ECDsa? key = Chain[0].GetECDsaPublicKey();
            if (key is null) return false;
            return key.VerifyData(SigStructure(ProtectedHeader, payload), Signature, HashFor(Algorithm), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    public static Message Parse(ReadOnlyMemory<byte> cose)
    {
        var reader = new CborReader(cose, CborConformanceMode.Lax);
        if (reader.PeekState() == CborReaderState.Tag && (ulong)reader.ReadTag() != Sign1Tag)
            throw new InvalidDataException("the claim signature is not a COSE_Sign1 message");
        if (reader.ReadStartArray() != 4) throw new InvalidDataException("a COSE_Sign1 message has four parts");
        byte[] protectedHeader = reader.ReadByteString();
        var (algorithm, chain) = ReadHeaders(protectedHeader, reader);
        if (reader.PeekState() == CborReaderState.Null) reader.ReadNull();
        else reader.SkipValue(); // an attached payload is ignored: C2PA signs the claim bytes detached
        byte[] signature = reader.ReadByteString();
        reader.ReadEndArray();
        if (algorithm is null) throw new InvalidDataException("the COSE signature names no algorithm");
        if (chain.Count == 0) throw new InvalidDataException("the COSE signature carries no x5chain certificate");
        return new Message(algorithm.Value, chain, protectedHeader, signature);
    }

    private static (CoseAlgorithm?, List<X509Certificate2>) ReadHeaders(byte[] protectedHeader, CborReader unprotectedReader)
    {
        CoseAlgorithm? algorithm = null;
        var chain = new List<X509Certificate2>();
        void ReadMap(CborReader map)
        {
            int? count = map.ReadStartMap();
            while (map.PeekState() != CborReaderState.EndMap)
            {
                if (map.PeekState() is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger)
                {
                    long label = map.ReadInt64();
                    if (label == AlgorithmLabel)
                    {
                        int value = map.ReadInt32();
                        algorithm = value switch
                        {
                            (int)CoseAlgorithm.ES256 => CoseAlgorithm.ES256,
                            (int)CoseAlgorithm.ES384 => CoseAlgorithm.ES384,
                            _ => throw new InvalidDataException($"unsupported COSE algorithm {value} (this reader checks ES256 and ES384)"),
                        };
                    }
                    else if (label == X5ChainLabel)
                    {
                        if (map.PeekState() == CborReaderState.ByteString) chain.Add(X509CertificateLoader.LoadCertificate(map.ReadByteString()));
                        else
                        {
                            map.ReadStartArray();
                            while (map.PeekState() != CborReaderState.EndArray) chain.Add(X509CertificateLoader.LoadCertificate(map.ReadByteString()));
                            map.ReadEndArray();
                        }
                    }
                    else map.SkipValue();
                }
                else
                {
                    map.SkipValue();
                    map.SkipValue();
                }
            }
            map.ReadEndMap();
            _ = count;
        }
        if (protectedHeader.Length > 0) ReadMap(new CborReader(protectedHeader, CborConformanceMode.Lax));
        ReadMap(unprotectedReader);
        return (algorithm, chain);
    }

    private static byte[] EncodeProtected(CoseAlgorithm algorithm, IReadOnlyList<X509Certificate2> chain)
    {
        var writer = new CborWriter(CborConformanceMode.Canonical);
        writer.WriteStartMap(2);
        writer.WriteInt32(AlgorithmLabel);
        writer.WriteInt32((int)algorithm);
        writer.WriteInt32(X5ChainLabel);
        if (chain.Count == 1) writer.WriteByteString(chain[0].RawData);
        else
        {
            writer.WriteStartArray(chain.Count);
            foreach (var certificate in chain) writer.WriteByteString(certificate.RawData);
            writer.WriteEndArray();
        }
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static byte[] SigStructure(byte[] protectedHeader, byte[] payload)
    {
        var writer = new CborWriter(CborConformanceMode.Canonical);
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(protectedHeader);
        writer.WriteByteString([]);
        writer.WriteByteString(payload);
        writer.WriteEndArray();
        return writer.Encode();
    }

    private static HashAlgorithmName HashFor(CoseAlgorithm algorithm) =>
        algorithm == CoseAlgorithm.ES384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
}
