using System.Text;
using System.Text.Json;
using Kinema.Wan.Tokenizer;

namespace Kinema.Wan.Tests.Parity;

/// <summary>
/// Our umT5 tokenizer against Google's sentencepiece library (tools/wan-fixtures/make_tokenizer_spm_fixture.py): small
/// real SentencePiece Unigram models, the tokenizer.json derived from each as transformers' T5 converter lays it out,
/// and the ids sentencepiece gives for tricky strings (whitespace, punctuation, digits, NFKC-normalised and unknown
/// characters, the empty string, texts longer than 512 tokens). Exact equality. The reference is sentencepiece, not
/// transformers' T5TokenizerFast: see tools/wan-fixtures/README.md for what that can hide.
/// </summary>
[Trait("Category", "WanParity")]
public class TokenizerSpmParityTests
{
    private const string Folder = "tokenizer-spm";

    private static string FixturePath(string relative)
    {
        string path = Path.Combine(WanParity.FixturesRoot, Folder, relative);
        if (!File.Exists(path))
            Assert.Fail($"tokenizer fixture '{path}' is missing: run /usr/bin/python3 tools/wan-fixtures/make_tokenizer_spm_fixture.py (tools/wan-fixtures/README.md) and commit its output");
        return path;
    }

    private static string Describe(UmT5Tokenizer tokenizer, IEnumerable<long> ids) =>
        string.Join(" ", ids.Select(id => id < tokenizer.VocabSize ? $"{id}:{tokenizer.Model.IdToPiece((int)id)}" : id.ToString()));

    [WanParityTheory(Folder + "/cases.json")]
    [InlineData("nmt_nfkc")]
    [InlineData("identity_bytes")]
    public void Ids_match_sentencepiece(string model)
    {
        var tokenizer = UmT5Tokenizer.Load(FixturePath(Path.Combine(model, "tokenizer.json")));
        using var json = JsonDocument.Parse(File.ReadAllText(FixturePath("cases.json")));
        var root = json.RootElement;
        int maxLength = root.GetProperty("max_length").GetInt32();
        long padId = root.GetProperty("pad_id").GetInt64(), eosId = root.GetProperty("eos_id").GetInt64();
        string[] texts = root.GetProperty("cases").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var reference = root.GetProperty("models").GetProperty(model);
        long[][] pieces = reference.GetProperty("pieces").EnumerateArray().Select(a => a.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        long[][] inputIds = reference.GetProperty("input_ids").EnumerateArray().Select(a => a.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        Assert.Equal(texts.Length, pieces.Length);
        Assert.Equal(padId, tokenizer.PadId);
        Assert.Contains(inputIds, ids => ids.Length == maxLength); // some case is truncated, or the test would not cover it

        // The model's scores, to recognise exact ties (below).
        using var tokenizerJson = JsonDocument.Parse(File.ReadAllText(FixturePath(Path.Combine(model, "tokenizer.json"))));
        double[] scores = tokenizerJson.RootElement.GetProperty("model").GetProperty("vocab").EnumerateArray().Select(e => e[1].GetDouble()).ToArray();
        string Spell(IEnumerable<long> ids) => string.Concat(ids.Select(id => tokenizer.Model.IdToPiece((int)id)));
        double Score(IEnumerable<long> ids) => ids.Sum(id => scores[id]);

        var problems = new StringBuilder();
        int ties = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            // Encode: the whole text, </s> appended, nothing cut.
            long[] expected = [.. pieces[i], eosId];
            long[] actual = tokenizer.Encode(texts[i]).Select(id => (long)id).ToArray();
            long[] accepted = expected;
            if (!expected.SequenceEqual(actual))
            {
                // An exact tie of the Unigram score: the same text cut into pieces of exactly the same total score
                // (e.g. "000" as "0"+"00" or "00"+"0"). Both are best; libraries break such ties differently:
                // HF tokenizers and ours keep the first candidate found (strict >, per Metaspace word, float64),
                // sentencepiece 0.1.97 another. Anything else — other text, a lower score — is a failure.
                // Only the span where the two differ is compared, with an absolute tolerance, so a long text's
                // large total cannot hide a worse cut.
                int prefix = 0, shorter = Math.Min(expected.Length, actual.Length);
                while (prefix < shorter && expected[prefix] == actual[prefix]) prefix++;
                int suffix = 0;
                while (suffix < shorter - prefix && expected[^(suffix + 1)] == actual[^(suffix + 1)]) suffix++;
                long[] expectedSpan = expected[prefix..^suffix], actualSpan = actual[prefix..^suffix];
                bool tie = Spell(expected) == Spell(actual) && Spell(expectedSpan) == Spell(actualSpan)
                    && Math.Abs(Score(expectedSpan) - Score(actualSpan)) <= 1e-9;
                if (tie)
                {
                    ties++;
                    accepted = actual;
                }
                else
                {
                    problems.AppendLine($"case {i} {JsonSerializer.Serialize(texts[i][..Math.Min(60, texts[i].Length)])}:\n  sentencepiece {Describe(tokenizer, expected)} (score {Score(expected):R})\n  ours          {Describe(tokenizer, actual)} (score {Score(actual):R})");
                }
            }

            // The convention on top: at most max_length − 1 pieces, then </s>, then <pad>; the fixture's input_ids
            // apply it to sentencepiece's pieces, which must agree with the accepted segmentation.
            long[] convention = [.. accepted[..^1].Take(maxLength - 1), eosId];
            if (ReferenceEquals(accepted, expected)) Assert.Equal(inputIds[i], convention);
            else Assert.Equal(inputIds[i].Length, convention.Length);
            var batch = tokenizer.EncodeBatch([texts[i]], maxLength, clean: false);
            long[] ids = [.. convention, .. Enumerable.Repeat(padId, maxLength - convention.Length)];
            long[] mask = [.. Enumerable.Repeat(1L, convention.Length), .. Enumerable.Repeat(0L, maxLength - convention.Length)];
            if (!ids.SequenceEqual(batch.Ids[0]) || !mask.SequenceEqual(batch.Mask[0]))
                problems.AppendLine($"case {i}: EncodeBatch ids/mask differ from the pieces + </s> + padding convention (length {convention.Length}, ours {batch.Lengths[0]})");
        }
        // Ties are rare; a flood of them would mean the comparison had become too lenient.
        Assert.True(ties <= 1, $"{model}: {ties} cases accepted as exact ties; the fixture has one (\"1,000,000\")");
        Assert.True(problems.Length == 0, $"{model}: our tokenizer disagrees with sentencepiece:\n{problems}");
    }
}
