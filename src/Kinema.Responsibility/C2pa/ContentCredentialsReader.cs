using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kinema.Responsibility.C2pa;

/// <summary>
/// Reads and checks the active C2PA manifest of an MP4 or PNG: the COSE signature over the claim,
/// every hashed assertion reference, and the <c>c2pa.hash.data</c> hard binding recomputed over the
/// file. Trust is judged separately against the roots passed in (none by default: a self-generated
/// operator CA is on no public trust list).
/// </summary>
public static class ContentCredentialsReader
{
    public static CredentialsReport Read(byte[] asset, IReadOnlyCollection<X509Certificate2>? trustAnchors = null)
    {
        ArgumentNullException.ThrowIfNull(asset);
        IManifestContainer? container = ContentCredentials.ContainerFor(asset);
        EmbeddedStore? embedded = container?.Find(asset);
        if (embedded is null) return CredentialsReport.None;

        var problems = new List<string>();
        JumbfSuperBox store;
        try
        {
            store = JumbfSuperBox.Parse(embedded.Jumbf);
        }
        catch (InvalidDataException e)
        {
            return new CredentialsReport { Present = true, Problems = [$"the manifest store is malformed: {e.Message}"] };
        }
        JumbfSuperBox? manifest = store.Children.LastOrDefault(c => c.ContentType.AsSpan().SequenceEqual(C2paIds.Manifest));
        JumbfSuperBox? claimBox = manifest?.Children.FirstOrDefault(c => c.ContentType.AsSpan().SequenceEqual(C2paIds.Claim));
        JumbfSuperBox? signatureBox = manifest?.Children.FirstOrDefault(c => c.ContentType.AsSpan().SequenceEqual(C2paIds.Signature));
        JumbfSuperBox? assertionStore = manifest?.Children.FirstOrDefault(c => c.ContentType.AsSpan().SequenceEqual(C2paIds.AssertionStore));
        byte[]? claimBytes = claimBox?.FirstContent("cbor")?.ToArray();
        ReadOnlyMemory<byte>? signatureBytes = signatureBox?.FirstContent("cbor");
        if (manifest is null || claimBytes is null || signatureBytes is null || assertionStore is null)
            return new CredentialsReport { Present = true, Problems = ["the manifest store has no complete manifest (claim, signature and assertions)"] };

        // 1. The claim signature.
        bool signatureValid = false, trusted = false;
        string? signer = null, issuer = null;
        try
        {
            var cose = CoseSign1.Parse(signatureBytes.Value);
            signer = cose.Chain[0].GetNameInfo(X509NameType.SimpleName, false);
            issuer = cose.Chain[0].GetNameInfo(X509NameType.SimpleName, true);
            signatureValid = cose.Verify(claimBytes);
            if (!signatureValid) problems.Add("the claim signature does not verify");
            trusted = signatureValid && trustAnchors is { Count: > 0 } && ChainsTo(cose.Chain, trustAnchors);
        }
        catch (Exception e) when (e is InvalidDataException or CborContentException or CryptographicException or InvalidOperationException)
        {
            problems.Add($"the claim signature is malformed: {e.Message}");
        }

        // 2. Every assertion the claim lists must hash to what the claim says.
        var claim = ReadClaim(claimBytes, problems);
        bool assertionsIntact = claim.References.Count > 0;
        var assertions = new Dictionary<string, byte[]>();
        foreach (var (url, hash) in claim.References)
        {
            string label = url[(url.LastIndexOf('/') + 1)..];
            JumbfSuperBox? box = assertionStore.Child(label);
            if (box is null)
            {
                problems.Add($"the claim references '{label}', which the manifest does not contain");
                assertionsIntact = false;
                continue;
            }
            if (!SHA256.HashData(box.Payload.Span).AsSpan().SequenceEqual(hash))
            {
                problems.Add($"the assertion '{label}' was altered after signing (hash mismatch)");
                assertionsIntact = false;
            }
            if (box.FirstContent("cbor") is { } cbor) assertions[label] = cbor.ToArray();
        }

        // 3. The hard binding: the data hash over the file without the excluded ranges.
        bool bindingValid = false;
        if (assertions.TryGetValue(C2paIds.DataHashLabel, out var dataHash))
        {
            bindingValid = CheckDataHash(dataHash, asset, problems);
        }
        else problems.Add("the manifest has no c2pa.hash.data hard binding this reader can check");

        var generation = assertions.TryGetValue(C2paIds.GenerationLabel, out var g) ? ReadMap(g) : [];
        string? sourceType = assertions.TryGetValue(C2paIds.ActionsLabel, out var a) ? ReadDigitalSourceType(a) : null;
        return new CredentialsReport
        {
            Present = true,
            SignatureValid = signatureValid,
            AssertionsIntact = assertionsIntact,
            HardBindingValid = bindingValid,
            IsTrusted = trusted,
            ManifestLabel = manifest.Label,
            ClaimGenerator = claim.Generator,
            Signer = signer,
            Issuer = issuer,
            DigitalSourceType = sourceType,
            VideoId = generation.GetValueOrDefault("video_id") as string,
            Model = generation.GetValueOrDefault("model") as string,
            PromptSha256 = generation.GetValueOrDefault("prompt_sha256") as string,
            WatermarkPayload = (generation.GetValueOrDefault("watermark") as Dictionary<string, object?>)?.GetValueOrDefault("payload") as string,
            CreatedAt = generation.GetValueOrDefault("created") as DateTimeOffset?,
            Problems = problems,
        };
    }

    private static bool ChainsTo(IReadOnlyList<X509Certificate2> chain, IReadOnlyCollection<X509Certificate2> anchors)
    {
        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.CustomTrustStore.AddRange(anchors.ToArray());
        builder.ChainPolicy.ExtraStore.AddRange(chain.Skip(1).ToArray());
        return builder.Build(chain[0]);
    }

    private sealed record Claim(string? Generator, List<(string Url, byte[] Hash)> References);

    private static Claim ReadClaim(byte[] claimBytes, List<string> problems)
    {
        var references = new List<(string, byte[])>();
        string? generator = null;
        try
        {
            var reader = new CborReader(claimBytes, CborConformanceMode.Lax);
            reader.ReadStartMap();
            while (reader.PeekState() != CborReaderState.EndMap)
            {
                string key = reader.ReadTextString();
                if (key is "created_assertions" or "gathered_assertions" or "assertions")
                {
                    reader.ReadStartArray();
                    while (reader.PeekState() != CborReaderState.EndArray)
                    {
                        var map = ReadValue(reader) as Dictionary<string, object?>;
                        if (map?.GetValueOrDefault("url") is string url && map.GetValueOrDefault("hash") is byte[] hash) references.Add((url, hash));
                        else problems.Add("the claim lists an assertion without a url and hash");
                    }
                    reader.ReadEndArray();
                }
                else if (key == "claim_generator_info" && ReadValue(reader) is Dictionary<string, object?> info)
                    generator = $"{info.GetValueOrDefault("name")} {info.GetValueOrDefault("version")}".Trim();
                else if (key == "claim_generator" && reader.PeekState() == CborReaderState.TextString) generator = reader.ReadTextString();
                else reader.SkipValue();
            }
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            problems.Add($"the claim is not valid CBOR: {e.Message}");
        }
        return new Claim(generator, references);
    }

    private static bool CheckDataHash(byte[] cbor, byte[] asset, List<string> problems)
    {
        var map = ReadMap(cbor);
        if (map.GetValueOrDefault("hash") is not byte[] expected || (map.GetValueOrDefault("alg") as string ?? "sha256") != "sha256")
        {
            problems.Add("the data hash assertion has no SHA-256 hash");
            return false;
        }
        var ranges = new List<(long Start, long Length)>();
        if (map.GetValueOrDefault("exclusions") is List<object?> exclusions)
            foreach (var exclusion in exclusions.OfType<Dictionary<string, object?>>())
                ranges.Add((Convert.ToInt64(exclusion.GetValueOrDefault("start")), Convert.ToInt64(exclusion.GetValueOrDefault("length"))));
        ranges.Sort();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long at = 0;
        foreach (var (start, length) in ranges)
        {
            if (start < at || length < 0 || start + length > asset.Length)
            {
                problems.Add("the data hash exclusions fall outside the file");
                return false;
            }
            hash.AppendData(asset, (int)at, (int)(start - at));
            at = start + length;
        }
        hash.AppendData(asset, (int)at, (int)(asset.Length - at));
        bool match = hash.GetHashAndReset().AsSpan().SequenceEqual(expected);
        if (!match) problems.Add("the file's bytes changed after signing (data hash mismatch)");
        return match;
    }

    private static string? ReadDigitalSourceType(byte[] actions)
    {
        var map = ReadMap(actions);
        return (map.GetValueOrDefault("actions") as List<object?>)?.OfType<Dictionary<string, object?>>()
            .FirstOrDefault(x => x.GetValueOrDefault("action") as string == "c2pa.created")?.GetValueOrDefault("digitalSourceType") as string;
    }

    private static Dictionary<string, object?> ReadMap(byte[] cbor)
    {
        try
        {
            return ReadValue(new CborReader(cbor, CborConformanceMode.Lax)) as Dictionary<string, object?> ?? [];
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            return [];
        }
    }

    /// <summary>A generic CBOR value: maps with text keys, arrays, strings, byte strings, integers, dates, booleans.</summary>
    private static object? ReadValue(CborReader reader)
    {
        switch (reader.PeekState())
        {
            case CborReaderState.StartMap:
                var map = new Dictionary<string, object?>();
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    object? key = ReadValue(reader);
                    map[key?.ToString() ?? ""] = ReadValue(reader);
                }
                reader.ReadEndMap();
                return map;
            case CborReaderState.StartArray:
                var list = new List<object?>();
                reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray) list.Add(ReadValue(reader));
                reader.ReadEndArray();
                return list;
            case CborReaderState.TextString: return reader.ReadTextString();
            case CborReaderState.ByteString: return reader.ReadByteString();
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger: return reader.ReadInt64();
            case CborReaderState.Boolean: return reader.ReadBoolean();
            case CborReaderState.Null: reader.ReadNull(); return null;
            case CborReaderState.Tag:
                if (reader.PeekTag() == CborTag.DateTimeString) return reader.ReadDateTimeOffset();
                reader.ReadTag();
                return ReadValue(reader);
            default:
                reader.SkipValue();
                return null;
        }
    }
}
