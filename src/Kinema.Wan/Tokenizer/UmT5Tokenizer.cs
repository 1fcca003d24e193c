using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kinema.Wan.Tokenizer;

/// <summary>A tokenizer.json file is missing, malformed, or uses a feature we do not implement. The message names the file and the field.</summary>
public sealed class TokenizerFormatException : Exception
{
    public TokenizerFormatException(string message) : base(message)
    {
    }

    public TokenizerFormatException(string message, Exception? inner) : base(message, inner)
    {
    }
}

/// <summary>Prompts tokenized to a fixed length: ids padded with the pad id, mask 1 on real tokens (eos included), 0 on padding.</summary>
public sealed record TokenBatch(long[][] Ids, long[][] Mask)
{
    /// <summary>Real tokens per prompt (the number of mask ones), what Wan calls seq_lens.</summary>
    public int[] Lengths => Mask.Select(m => (int)m.Sum()).ToArray();

    public int Count => Ids.Length;

    public int Length => Ids.Length == 0 ? 0 : Ids[0].Length;
}

/// <summary>
/// umT5's tokenizer (google/umt5-xxl, as shipped in a diffusers Wan folder's <c>tokenizer/tokenizer.json</c>):
/// special tokens split out first, then normalizer → Metaspace pre-tokenizer → SentencePiece Unigram (Viterbi)
/// → the template post-processor that appends <c>&lt;/s&gt;</c>. Only tokenizer.json is read; <c>spiece.model</c>
/// (the same model as a protobuf) is ignored. <see cref="EncodeBatch"/> reproduces what Wan's HuggingfaceTokenizer
/// asks of it: clean whitespace, truncate and pad to 512, return ids and mask.
/// </summary>
public sealed class UmT5Tokenizer
{
    /// <summary>Wan's text length: every prompt becomes exactly this many tokens.</summary>
    public const int WanMaxLength = 512;

    private readonly ITextNormalizer? _normalizer;
    private readonly Metaspace? _metaspace;
    private readonly UnigramModel _model;
    private readonly (string Content, int Id)[] _addedTokens;
    private readonly Regex? _addedSplit;
    private readonly Dictionary<string, int> _addedIds;
    private readonly TemplatePiece[] _single;

    private UmT5Tokenizer(string path, ITextNormalizer? normalizer, Metaspace? metaspace, UnigramModel model,
        (string Content, int Id)[] addedTokens, TemplatePiece[] single, int padId)
    {
        Path = path;
        _normalizer = normalizer;
        _metaspace = metaspace;
        _model = model;
        _addedTokens = addedTokens;
        _addedIds = addedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        // Longest first, so "<extra_id_10>" wins over "<extra_id_1>" when both could match.
        _addedSplit = addedTokens.Length == 0 ? null
            : new Regex(string.Join("|", addedTokens.Select(t => t.Content).OrderByDescending(c => c.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
        _single = single;
        PadId = padId;
    }

    /// <summary>The tokenizer.json that was read.</summary>
    public string Path { get; }

    /// <summary>Id used for padding (<c>&lt;pad&gt;</c>, 0 for umT5).</summary>
    public int PadId { get; }

    /// <summary>Pieces in the Unigram vocabulary.</summary>
    public int VocabSize => _model.VocabSize;

    public UnigramModel Model => _model;

    /// <summary>
    /// Reads a tokenizer.json: <paramref name="path"/> may be the file, a folder holding it (<c>tokenizer/</c>),
    /// or a diffusers model folder whose <c>tokenizer/</c> holds it.
    /// </summary>
    public static UmT5Tokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string file = ResolveFile(path);
        string name = file;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"{name}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new TokenizerFormatException($"{name}: expected a JSON object at the top level");
            try
            {
                return FromJson(root, file);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new TokenizerFormatException($"{name}: malformed ({e.Message})", e);
            }
        }
    }

    private static string ResolveFile(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full)) return full;
        if (Directory.Exists(full))
        {
            foreach (string candidate in new[] { System.IO.Path.Combine(full, "tokenizer.json"), System.IO.Path.Combine(full, "tokenizer", "tokenizer.json") })
            {
                if (File.Exists(candidate)) return candidate;
            }
            bool spiece = File.Exists(System.IO.Path.Combine(full, "spiece.model")) || File.Exists(System.IO.Path.Combine(full, "tokenizer", "spiece.model"));
            throw new FileNotFoundException(
                $"no tokenizer.json in '{full}' or its tokenizer/ folder" + (spiece
                    ? "; a spiece.model is there, but only the HF tokenizers format (tokenizer.json) is read — convert it with transformers' AutoTokenizer(...).save_pretrained()"
                    : "; a diffusers Wan folder ships it as tokenizer/tokenizer.json"),
                System.IO.Path.Combine(full, "tokenizer.json"));
        }
        throw new FileNotFoundException($"tokenizer file not found: '{full}'", full);
    }

    private static UmT5Tokenizer FromJson(JsonElement root, string file)
    {
        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
            throw new TokenizerFormatException($"{file}: no 'model' object");
        string type = TokenizerJson.RequiredString(model, "type", file, "model");
        if (type != "Unigram") throw new TokenizerFormatException($"{file}: model type is '{type}', but umT5 needs 'Unigram'");

        var vocabJson = TokenizerJson.RequiredArray(model, "vocab", file, "model");
        var vocab = new List<(string, double)>(vocabJson.GetArrayLength());
        int index = 0;
        foreach (JsonElement entry in vocabJson.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.Number)
                throw new TokenizerFormatException($"{file}: model.vocab[{index}] must be a [piece, score] pair, found {Truncate(entry.GetRawText())}");
            vocab.Add((entry[0].GetString()!, entry[1].GetDouble()));
            index++;
        }
        int? unkId = model.TryGetProperty("unk_id", out var unk) && unk.ValueKind == JsonValueKind.Number ? unk.GetInt32() : null;
        bool byteFallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True;
        UnigramModel unigram;
        try
        {
            unigram = new UnigramModel(vocab, unkId, byteFallback);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"{file}: {e.Message}", e);
        }

        ITextNormalizer? normalizer = root.TryGetProperty("normalizer", out var norm) ? TextNormalizers.FromJson(norm, file) : null;
        Metaspace? metaspace = root.TryGetProperty("pre_tokenizer", out var pre) ? Metaspace.FromJson(pre, file) : null;

        var added = new List<(string, int)>();
        if (root.TryGetProperty("added_tokens", out var addedJson) && addedJson.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement token in addedJson.EnumerateArray())
                added.Add((TokenizerJson.RequiredString(token, "content", file, "added_tokens[]"), token.GetProperty("id").GetInt32()));
        }

        var single = TemplatePiece.ParseSingle(root, file, unigram, added);
        int padId = added.Where(t => t.Item1 == "<pad>").Select(t => t.Item2).DefaultIfEmpty(-1).First();
        if (padId < 0) padId = unigram.TryGetId("<pad>", out int p) ? p : 0;
        return new UmT5Tokenizer(file, normalizer, metaspace, unigram, added.ToArray(), single, padId);
    }

    /// <summary>
    /// Wan's prompt cleaning (<c>clean='whitespace'</c>, the same as diffusers' <c>prompt_clean</c>): ftfy.fix_text,
    /// HTML-unescape twice, trim, collapse whitespace runs to one space. Of ftfy's default fixes, those that change
    /// well-formed text are reproduced: control characters removed, curly quotes straightened, Latin ligatures and
    /// full/half-width forms expanded, NFC. Its mojibake repair (fix_encoding, C1-control decoding) is not, which only
    /// matters for text that was garbled before it reached us.
    /// </summary>
    public static string CleanPrompt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string fixedText = FtfyLite(text);
        string unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(fixedText)).Trim();
        return Regex.Replace(unescaped, @"\s+", " ").Trim();
    }

    // The subset of ftfy.fix_text (ftfy 6 defaults) that applies to well-formed text, in ftfy's order.
    private static string FtfyLite(string text)
    {
        var output = new System.Text.StringBuilder(text.Length);
        foreach (char c in text.Replace("\r\n", "\n"))
        {
            // remove_control_chars: C0 controls other than tab/newline/form feed/CR, DEL, BOM, deprecated format chars.
            if (c is (>= '\u0000' and <= '\u0008') or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F' or '\uFEFF'
                or (>= '\u206A' and <= '\u206F') or (>= '\uFFF9' and <= '\uFFFC')) continue;
            // fix_latin_ligatures and fix_character_width: these code points take their compatibility (NFKC) form.
            if (c is '\u0132' or '\u0133' or '\u0149' or (>= '\u01C4' and <= '\u01CC') or (>= '\u01F1' and <= '\u01F3')
                or (>= '\uFB00' and <= '\uFB06') or '\u3000' or (>= '\uFF01' and <= '\uFFEE'))
            {
                output.Append(c.ToString().Normalize(System.Text.NormalizationForm.FormKC));
                continue;
            }
            output.Append(c);
        }
        // uncurl_quotes, then NFC.
        string uncurled = Regex.Replace(Regex.Replace(output.ToString(), "[\u02BC\u2018-\u201B]", "'"), "[\u201C-\u201F]", "\"");
        return uncurled.Normalize(System.Text.NormalizationForm.FormC);
    }

    /// <summary>Token ids of <paramref name="text"/> (no cleaning, no truncation), with <c>&lt;/s&gt;</c> appended when <paramref name="addSpecialTokens"/>.</summary>
    public List<int> Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = EncodeBody(text);
        if (!addSpecialTokens) return body;
        var ids = new List<int>(body.Count + _single.Length);
        foreach (TemplatePiece piece in _single)
        {
            if (piece.IsSequence) ids.AddRange(body);
            else ids.AddRange(piece.Ids);
        }
        return ids;
    }

    /// <summary>
    /// What Wan's text pipeline does to a batch of prompts: clean each, tokenize with <c>&lt;/s&gt;</c>, truncate the
    /// text so that text + specials fit <paramref name="maxLength"/> (the eos is kept), pad with <see cref="PadId"/>.
    /// </summary>
    public TokenBatch EncodeBatch(IReadOnlyList<string> prompts, int maxLength = WanMaxLength, bool clean = true)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        int specials = _single.Where(p => !p.IsSequence).Sum(p => p.Ids.Length);
        var ids = new long[prompts.Count][];
        var mask = new long[prompts.Count][];
        for (int i = 0; i < prompts.Count; i++)
        {
            var body = EncodeBody(clean ? CleanPrompt(prompts[i]) : prompts[i]);
            // HF truncates the sequence first (longest-first, right side), leaving room for the special tokens.
            int keep = Math.Max(0, Math.Min(body.Count, maxLength - specials));
            var tokens = new List<int>(maxLength);
            foreach (TemplatePiece piece in _single)
            {
                if (piece.IsSequence) tokens.AddRange(body.Take(keep));
                else tokens.AddRange(piece.Ids);
            }
            if (tokens.Count > maxLength) tokens.RemoveRange(maxLength, tokens.Count - maxLength);
            ids[i] = new long[maxLength];
            mask[i] = new long[maxLength];
            for (int j = 0; j < maxLength; j++)
            {
                bool real = j < tokens.Count;
                ids[i][j] = real ? tokens[j] : PadId;
                mask[i][j] = real ? 1 : 0;
            }
        }
        return new TokenBatch(ids, mask);
    }

    private List<int> EncodeBody(string text)
    {
        var ids = new List<int>();
        // Added (special) tokens are matched on the raw text and never normalized or segmented.
        int position = 0;
        if (_addedSplit is not null)
        {
            foreach (Match match in _addedSplit.Matches(text))
            {
                EncodeSegment(text.Substring(position, match.Index - position), ids);
                ids.Add(_addedIds[match.Value]);
                position = match.Index + match.Length;
            }
        }
        EncodeSegment(text.Substring(position), ids);
        return ids;
    }

    private void EncodeSegment(string segment, List<int> ids)
    {
        if (segment.Length == 0) return;
        string normalized = _normalizer?.Normalize(segment) ?? segment;
        if (normalized.Length == 0) return;
        IEnumerable<string> words = _metaspace is null ? [normalized] : _metaspace.Split(normalized);
        foreach (string word in words) _model.Encode(word, ids);
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";

    /// <summary>
    /// The Metaspace pre-tokenizer: spaces become '▁', a '▁' is prepended (prepend_scheme always/first, or legacy
    /// add_prefix_space), and with split the text is cut before every '▁' so each word is segmented on its own.
    /// </summary>
    internal sealed class Metaspace(char replacement, bool prepend, bool split)
    {
        public static Metaspace? FromJson(JsonElement element, string file)
        {
            if (element.ValueKind == JsonValueKind.Null) return null;
            string type = TokenizerJson.RequiredString(element, "type", file, "pre_tokenizer");
            if (type == "Sequence")
            {
                var items = TokenizerJson.RequiredArray(element, "pretokenizers", file, "pre_tokenizer");
                if (items.GetArrayLength() != 1)
                    throw new TokenizerFormatException($"{file}: only a single Metaspace pre-tokenizer is supported, found a Sequence of {items.GetArrayLength()}");
                return FromJson(items[0], file);
            }
            if (type != "Metaspace") throw new TokenizerFormatException($"{file}: pre_tokenizer type '{type}' is not supported (umT5 uses Metaspace)");
            string rep = TokenizerJson.RequiredString(element, "replacement", file, "Metaspace");
            if (rep.Length != 1) throw new TokenizerFormatException($"{file}: Metaspace replacement must be one character, found '{rep}'");
            bool prepend;
            if (element.TryGetProperty("prepend_scheme", out var scheme) && scheme.ValueKind == JsonValueKind.String)
            {
                // "first" only differs from "always" after an added token splits the text; prompts carry none.
                prepend = scheme.GetString() switch
                {
                    "always" or "first" => true,
                    "never" => false,
                    var other => throw new TokenizerFormatException($"{file}: Metaspace prepend_scheme '{other}' is unknown"),
                };
            }
            else
            {
                prepend = !element.TryGetProperty("add_prefix_space", out var aps) || aps.ValueKind != JsonValueKind.False;
            }
            bool split = !element.TryGetProperty("split", out var s) || s.ValueKind != JsonValueKind.False;
            return new Metaspace(rep[0], prepend, split);
        }

        public IEnumerable<string> Split(string text)
        {
            string replaced = text.Replace(' ', replacement);
            if (prepend && !replaced.StartsWith(replacement)) replaced = replacement + replaced;
            if (!split)
            {
                yield return replaced;
                yield break;
            }
            // MergedWithNext: each '▁' starts a new word and stays attached to what follows it.
            int start = 0;
            for (int i = 1; i < replaced.Length; i++)
            {
                if (replaced[i] != replacement) continue;
                yield return replaced.Substring(start, i - start);
                start = i;
            }
            if (start < replaced.Length) yield return replaced.Substring(start);
        }
    }

    /// <summary>One item of a TemplateProcessing "single" template: the sequence itself, or special-token ids.</summary>
    private sealed record TemplatePiece(bool IsSequence, int[] Ids)
    {
        public static TemplatePiece[] ParseSingle(JsonElement root, string file, UnigramModel model, List<(string Content, int Id)> added)
        {
            if (!root.TryGetProperty("post_processor", out var post) || post.ValueKind == JsonValueKind.Null)
                return [new TemplatePiece(true, [])];
            string type = TokenizerJson.RequiredString(post, "type", file, "post_processor");
            if (type != "TemplateProcessing") throw new TokenizerFormatException($"{file}: post_processor type '{type}' is not supported (umT5 uses TemplateProcessing)");
            var single = TokenizerJson.RequiredArray(post, "single", file, "post_processor");
            post.TryGetProperty("special_tokens", out var specials);
            var pieces = new List<TemplatePiece>();
            foreach (JsonElement item in single.EnumerateArray())
            {
                if (item.TryGetProperty("Sequence", out _))
                {
                    pieces.Add(new TemplatePiece(true, []));
                    continue;
                }
                if (!item.TryGetProperty("SpecialToken", out var special))
                    throw new TokenizerFormatException($"{file}: post_processor.single items must be Sequence or SpecialToken, found {Truncate(item.GetRawText())}");
                string id = TokenizerJson.RequiredString(special, "id", file, "SpecialToken");
                int[] ids;
                if (specials.ValueKind == JsonValueKind.Object && specials.TryGetProperty(id, out var entry) && entry.TryGetProperty("ids", out var idsJson))
                    ids = idsJson.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                else if (added.FirstOrDefault(t => t.Content == id) is { Content: not null } a)
                    ids = [a.Id];
                else if (model.TryGetId(id, out int vid))
                    ids = [vid];
                else
                    throw new TokenizerFormatException($"{file}: post_processor uses special token '{id}' but it has no id");
                pieces.Add(new TemplatePiece(false, ids));
            }
            if (!pieces.Any(p => p.IsSequence)) throw new TokenizerFormatException($"{file}: post_processor.single never places the sequence");
            return pieces.ToArray();
        }
    }
}

/// <summary>Small helpers for reading tokenizer.json fields with errors that name the file and field.</summary>
internal static class TokenizerJson
{
    public static string RequiredString(JsonElement element, string property, string file, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
            throw new TokenizerFormatException($"{file}: {where} needs a string '{property}'");
        return value.GetString()!;
    }

    public static JsonElement RequiredArray(JsonElement element, string property, string file, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.Array)
            throw new TokenizerFormatException($"{file}: {where} needs an array '{property}'");
        return value;
    }
}
