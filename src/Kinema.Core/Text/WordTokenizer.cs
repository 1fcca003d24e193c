using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kinema.Text;

/// <summary>Token ids and padding mask for a batch of prompts, padded to one length.</summary>
public sealed record TokenBatch(long[,] Ids, bool[,] Mask)
{
    public int Count => Ids.GetLength(0);
    public int Length => Ids.GetLength(1);
}

/// <summary>
/// A lower-casing word-level tokenizer with a closed vocabulary. Why words and not BPE: the built-in
/// model's world has a few hundred words, one token per word keeps text sequences short (cheap
/// cross-attention on CPU), and the vocabulary doubles as the list of words the model was trained on,
/// which lets the CLI say which words of a prompt it has never seen. See docs/tokenizer.md.
/// Id 0 is padding, 1 unknown, 2 start-of-text (always present, so an empty prompt still has a token).
/// </summary>
public sealed partial class WordTokenizer
{
    public const int PadId = 0;
    public const int UnknownId = 1;
    public const int StartId = 2;
    public const string PadToken = "<pad>";
    public const string UnknownToken = "<unk>";
    public const string StartToken = "<s>";

    private readonly Dictionary<string, int> _ids;

    public IReadOnlyList<string> Vocabulary { get; }
    public int MaxLength { get; }

    public WordTokenizer(IEnumerable<string> words, int maxLength)
    {
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), "max length must be >= 2");
        var vocabulary = new List<string> { PadToken, UnknownToken, StartToken };
        foreach (var word in words.Select(Normalize).Where(w => w.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            if (!vocabulary.Contains(word)) vocabulary.Add(word);
        Vocabulary = vocabulary;
        MaxLength = maxLength;
        _ids = vocabulary.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Lower-cased words of a prompt, accents removed; punctuation dropped.</summary>
    public static IReadOnlyList<string> Words(string text)
        => WordPattern().Matches(Normalize(text)).Select(m => m.Value).ToList();

    /// <summary>Words of <paramref name="text"/> that are not in the vocabulary, in order of first appearance.</summary>
    public IReadOnlyList<string> UnknownWords(string text)
        => Words(text).Where(w => !_ids.ContainsKey(w)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Ids of one prompt: start token, then one id per word, truncated to <see cref="MaxLength"/>.</summary>
    public IReadOnlyList<long> Encode(string text)
    {
        var ids = new List<long> { StartId };
        foreach (var word in Words(text))
        {
            if (ids.Count == MaxLength) break;
            ids.Add(_ids.TryGetValue(word, out int id) ? id : UnknownId);
        }
        return ids;
    }

    /// <summary>Encodes prompts and pads them to the longest one.</summary>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts)
    {
        var encoded = texts.Select(Encode).ToList();
        int length = encoded.Max(e => e.Count);
        var ids = new long[texts.Count, length];
        var mask = new bool[texts.Count, length];
        for (int i = 0; i < encoded.Count; i++)
            for (int j = 0; j < encoded[i].Count; j++)
            {
                ids[i, j] = encoded[i][j];
                mask[i, j] = true;
            }
        return new TokenBatch(ids, mask);
    }

    public void Save(string path)
    {
        var file = new TokenizerFile("kinema-word", 1, MaxLength, Vocabulary.ToArray());
        Kinema.IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, Kinema.IO.Json.Options));
    }

    public static WordTokenizer Load(string path)
    {
        TokenizerFile? file;
        try
        {
            file = JsonSerializer.Deserialize<TokenizerFile>(File.ReadAllText(path), Kinema.IO.Json.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid tokenizer file ({e.Message})", e);
        }
        if (file is null || file.Type != "kinema-word" || file.Vocabulary is null)
            throw new InvalidDataException($"{path}: expected a tokenizer of type 'kinema-word' with a vocabulary");
        if (file.Vocabulary.Length < 3 || file.Vocabulary[0] != PadToken || file.Vocabulary[1] != UnknownToken || file.Vocabulary[2] != StartToken)
            throw new InvalidDataException($"{path}: vocabulary must start with {PadToken}, {UnknownToken}, {StartToken}");
        var tokenizer = new WordTokenizer(file.Vocabulary.Skip(3), file.MaxLength);
        if (!tokenizer.Vocabulary.SequenceEqual(file.Vocabulary))
            throw new InvalidDataException($"{path}: vocabulary must be sorted, normalised and free of duplicates");
        return tokenizer;
    }

    private static string Normalize(string text)
    {
        var decomposed = text.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (char ch in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark) kept.Append(ch);
        return kept.ToString().Normalize(NormalizationForm.FormC);
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:'[\p{L}]+)?")]
    private static partial Regex WordPattern();

    private sealed record TokenizerFile(string Type, int Version, int MaxLength, string[] Vocabulary);
}
