using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kinema.Wan.Tokenizer;

/// <summary>One step of a tokenizer.json <c>normalizer</c>: text in, text out (alignments are not tracked; we only need ids).</summary>
public interface ITextNormalizer
{
    string Normalize(string text);
}

/// <summary>Builds normalizers from their tokenizer.json objects; an unknown type is an error, never silently skipped.</summary>
public static class TextNormalizers
{
    public static ITextNormalizer? FromJson(JsonElement element, string file)
    {
        if (element.ValueKind == JsonValueKind.Null) return null;
        string type = TokenizerJson.RequiredString(element, "type", file, "normalizer");
        return type switch
        {
            "Sequence" => new SequenceNormalizer(TokenizerJson.RequiredArray(element, "normalizers", file, "normalizer")
                .EnumerateArray().Select(e => FromJson(e, file)!).ToArray()),
            "Precompiled" => PrecompiledCharsMap.FromBase64(TokenizerJson.RequiredString(element, "precompiled_charsmap", file, "normalizer"), file),
            "Replace" => ReplaceNormalizer.FromJson(element, file),
            "Strip" => new StripNormalizer(
                element.TryGetProperty("strip_left", out var l) && l.GetBoolean(),
                element.TryGetProperty("strip_right", out var r) && r.GetBoolean()),
            "Prepend" => new LambdaNormalizer(s => s.Length == 0 ? s : TokenizerJson.RequiredString(element, "prepend", file, "normalizer") + s),
            "Lowercase" => new LambdaNormalizer(s => s.ToLowerInvariant()),
            "NFC" => new LambdaNormalizer(s => s.Normalize(NormalizationForm.FormC)),
            "NFD" => new LambdaNormalizer(s => s.Normalize(NormalizationForm.FormD)),
            "NFKC" => new LambdaNormalizer(s => s.Normalize(NormalizationForm.FormKC)),
            "NFKD" => new LambdaNormalizer(s => s.Normalize(NormalizationForm.FormKD)),
            _ => throw new TokenizerFormatException($"{file}: normalizer type '{type}' is not supported (supported: Sequence, Precompiled, Replace, Strip, Prepend, Lowercase, NFC, NFD, NFKC, NFKD)"),
        };
    }

    private sealed class SequenceNormalizer(ITextNormalizer[] steps) : ITextNormalizer
    {
        public string Normalize(string text)
        {
            foreach (ITextNormalizer step in steps) text = step.Normalize(text);
            return text;
        }
    }

    private sealed class LambdaNormalizer(Func<string, string> apply) : ITextNormalizer
    {
        public string Normalize(string text) => apply(text);
    }

    private sealed class StripNormalizer(bool left, bool right) : ITextNormalizer
    {
        public string Normalize(string text) => (left, right) switch
        {
            (true, true) => text.Trim(),
            (true, false) => text.TrimStart(),
            (false, true) => text.TrimEnd(),
            _ => text,
        };
    }

    private sealed class ReplaceNormalizer(Regex pattern, string content) : ITextNormalizer
    {
        public static ReplaceNormalizer FromJson(JsonElement element, string file)
        {
            if (!element.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException($"{file}: a Replace normalizer needs a 'pattern' object with 'String' or 'Regex'");
            string content = TokenizerJson.RequiredString(element, "content", file, "Replace normalizer");
            if (pattern.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String)
                return new ReplaceNormalizer(new Regex(Regex.Escape(literal.GetString()!), RegexOptions.CultureInvariant), content);
            if (pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
                return new ReplaceNormalizer(new Regex(regex.GetString()!, RegexOptions.CultureInvariant), content);
            throw new TokenizerFormatException($"{file}: a Replace normalizer's pattern must hold 'String' or 'Regex'");
        }

        // Regex.Replace inserts $-substitutions; HF's content is literal, so escape '$'.
        public string Normalize(string text) => pattern.Replace(text, content.Replace("$", "$$", StringComparison.Ordinal));
    }
}

/// <summary>
/// SentencePiece's compiled normalisation rules (<c>precompiled_charsmap</c>, e.g. nmt_nfkc): a darts-clone
/// double-array trie over UTF-8 bytes whose values point into a blob of NUL-terminated replacement strings.
/// Applied as HF tokenizers does: each grapheme (under 6 UTF-8 bytes) is looked up whole, otherwise each of its
/// characters; the shortest matching key wins; unmatched characters are kept.
/// </summary>
public sealed class PrecompiledCharsMap : ITextNormalizer
{
    private readonly uint[] _units;
    private readonly byte[] _normalized;

    public PrecompiledCharsMap(byte[] charsMap, string file)
    {
        ArgumentNullException.ThrowIfNull(charsMap);
        if (charsMap.Length < 4) throw new TokenizerFormatException($"{file}: precompiled_charsmap is {charsMap.Length} bytes, too short for its header");
        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(charsMap);
        if (trieBytes % 4 != 0 || trieBytes > charsMap.Length - 4)
            throw new TokenizerFormatException($"{file}: precompiled_charsmap declares a {trieBytes}-byte trie but holds {charsMap.Length - 4} bytes after the header");
        _units = new uint[trieBytes / 4];
        for (int i = 0; i < _units.Length; i++) _units[i] = BinaryPrimitives.ReadUInt32LittleEndian(charsMap.AsSpan(4 + 4 * i));
        _normalized = charsMap.AsSpan(4 + (int)trieBytes).ToArray();
    }

    public static PrecompiledCharsMap FromBase64(string base64, string file)
    {
        try
        {
            return new PrecompiledCharsMap(Convert.FromBase64String(base64), file);
        }
        catch (FormatException e)
        {
            throw new TokenizerFormatException($"{file}: precompiled_charsmap is not valid base64 ({e.Message})", e);
        }
    }

    public string Normalize(string text)
    {
        var output = new StringBuilder(text.Length);
        var graphemes = StringInfo.GetTextElementEnumerator(text);
        while (graphemes.MoveNext())
        {
            string grapheme = graphemes.GetTextElement();
            if (Encoding.UTF8.GetByteCount(grapheme) < 6 && Transform(grapheme) is { } whole)
            {
                output.Append(whole);
                continue;
            }
            for (int i = 0; i < grapheme.Length; i += char.IsSurrogatePair(grapheme, i) ? 2 : 1)
            {
                string part = grapheme.Substring(i, char.IsSurrogatePair(grapheme, i) ? 2 : 1);
                output.Append(Transform(part) ?? part);
            }
        }
        return output.ToString();
    }

    /// <summary>The replacement for the shortest trie key that prefixes <paramref name="chunk"/>, or null.</summary>
    internal string? Transform(string chunk)
    {
        byte[] key = Encoding.UTF8.GetBytes(chunk);
        if (_units.Length == 0) return null;
        // darts-clone unit layout: bits 0-7 label, bit 8 has-leaf, bit 9 offset-extension flag, bits 10+ offset;
        // a leaf unit's low 31 bits are its value.
        long node = Offset(_units[0]);
        foreach (byte c in key)
        {
            if (c == 0) break;
            node ^= c;
            if (node < 0 || node >= _units.Length) return null;
            uint unit = _units[node];
            if ((unit & (0x80000000u | 0xFFu)) != c) return null;
            node ^= Offset(unit);
            if (node < 0 || node >= _units.Length) return null;
            if (((unit >> 8) & 1) == 1)
            {
                int start = (int)(_units[node] & 0x7FFFFFFFu);
                if (start >= _normalized.Length) return null;
                int end = Array.IndexOf(_normalized, (byte)0, start);
                return Encoding.UTF8.GetString(_normalized, start, (end < 0 ? _normalized.Length : end) - start);
            }
        }
        return null;
    }

    private static long Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
