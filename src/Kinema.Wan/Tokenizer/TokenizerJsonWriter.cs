using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kinema.Wan.Tokenizer;

/// <summary>
/// Writes a synthetic <c>tokenizer/</c> folder (tokenizer.json, tokenizer_config.json, special_tokens_map.json) in the
/// schema google/umt5-xxl ships: Sequence[Precompiled, Replace] normalizer, Metaspace pre-tokenizer, Unigram model
/// with byte fallback, and a TemplateProcessing post-processor appending <c>&lt;/s&gt;</c>. The pieces are made up
/// (special tokens, the 256 byte pieces, printable characters, then random "words" with falling scores), so ids
/// mean nothing — the files exist to exercise loaders and shapes without downloading the real 17 MB file.
/// </summary>
public static class TokenizerJsonWriter
{
    /// <summary>Pieces in google/umt5-xxl's vocabulary, equal to the text encoder's embedding rows.</summary>
    public const int UmT5VocabSize = 256_384;

    /// <summary>umT5's special tokens and their ids.</summary>
    public static readonly (string Piece, int Id)[] Specials = [("<pad>", 0), ("</s>", 1), ("<s>", 2), ("<unk>", 3)];

    /// <summary>Writes <paramref name="folder"/>/tokenizer.json (and the two small config files) with <paramref name="vocabSize"/> pieces.</summary>
    public static void Write(string folder, int vocabSize, int seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        int minimum = Specials.Length + 256 + 95 * 2;
        if (vocabSize < minimum) throw new ArgumentOutOfRangeException(nameof(vocabSize), $"a synthetic umT5 vocabulary needs at least {minimum} pieces, got {vocabSize}");
        Directory.CreateDirectory(folder);

        var pieces = BuildPieces(vocabSize, seed);
        using (var stream = new FileStream(Path.Combine(folder, "tokenizer.json"), FileMode.Create, FileAccess.Write))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            foreach (var (piece, id) in Specials)
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", piece);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("normalizer");
            json.WriteString("type", "Sequence");
            json.WriteStartArray("normalizers");
            json.WriteStartObject();
            json.WriteString("type", "Precompiled");
            json.WriteString("precompiled_charsmap", Convert.ToBase64String(BuildCharsMap()));
            json.WriteEndObject();
            json.WriteStartObject();
            json.WriteString("type", "Replace");
            json.WriteStartObject("pattern");
            json.WriteString("Regex", " {2,}");
            json.WriteEndObject();
            json.WriteString("content", " ");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject("pre_tokenizer");
            json.WriteString("type", "Metaspace");
            json.WriteString("replacement", "▁");
            json.WriteString("prepend_scheme", "always");
            json.WriteBoolean("split", true);
            json.WriteEndObject();

            json.WriteStartObject("post_processor");
            json.WriteString("type", "TemplateProcessing");
            json.WriteStartArray("single");
            WriteTemplateItem(json, "Sequence", "A");
            WriteTemplateItem(json, "SpecialToken", "</s>");
            json.WriteEndArray();
            json.WriteStartArray("pair");
            WriteTemplateItem(json, "Sequence", "A");
            WriteTemplateItem(json, "SpecialToken", "</s>");
            WriteTemplateItem(json, "Sequence", "B");
            WriteTemplateItem(json, "SpecialToken", "</s>");
            json.WriteEndArray();
            json.WriteStartObject("special_tokens");
            json.WriteStartObject("</s>");
            json.WriteString("id", "</s>");
            json.WriteStartArray("ids");
            json.WriteNumberValue(1);
            json.WriteEndArray();
            json.WriteStartArray("tokens");
            json.WriteStringValue("</s>");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("decoder");
            json.WriteString("type", "Metaspace");
            json.WriteString("replacement", "▁");
            json.WriteString("prepend_scheme", "always");
            json.WriteBoolean("split", true);
            json.WriteEndObject();

            json.WriteStartObject("model");
            json.WriteString("type", "Unigram");
            json.WriteNumber("unk_id", 3);
            json.WriteStartArray("vocab");
            foreach (var (piece, score) in pieces)
            {
                json.WriteStartArray();
                json.WriteStringValue(piece);
                json.WriteNumberValue(score);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteBoolean("byte_fallback", true);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"),
            "{\n  \"eos_token\": \"</s>\",\n  \"pad_token\": \"<pad>\",\n  \"unk_token\": \"<unk>\"\n}\n");
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"),
            "{\n  \"eos_token\": \"</s>\",\n  \"pad_token\": \"<pad>\",\n  \"unk_token\": \"<unk>\",\n" +
            "  \"model_max_length\": 1000000000000000019884624838656,\n  \"tokenizer_class\": \"T5Tokenizer\"\n}\n");
    }

    private static void WriteTemplateItem(Utf8JsonWriter json, string kind, string id)
    {
        json.WriteStartObject();
        json.WriteStartObject(kind);
        json.WriteString("id", id);
        json.WriteNumber("type_id", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static List<(string Piece, double Score)> BuildPieces(int vocabSize, int seed)
    {
        var pieces = new List<(string, double)>(vocabSize);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string piece, double score)
        {
            if (seen.Add(piece)) pieces.Add((piece, score));
        }
        foreach (var (piece, _) in Specials) Add(piece, 0.0);
        for (int b = 0; b < 256; b++) Add($"<0x{b:X2}>", 0.0);
        // Every printable ASCII character, alone and word-initial, so any ASCII text segments without byte fallback.
        for (char c = ' '; c <= '~'; c++)
        {
            string s = c == ' ' ? "▁" : c.ToString();
            Add(s, -8.0 - c / 100.0);
            Add("▁" + s, -7.5 - c / 100.0);
        }
        var random = new Random(seed);
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        while (pieces.Count < vocabSize)
        {
            int length = 2 + random.Next(7);
            var word = new StringBuilder(length + 1);
            if (random.Next(2) == 0) word.Append('▁');
            for (int i = 0; i < length; i++) word.Append(letters[random.Next(letters.Length)]);
            // Falling scores, like a real Unigram vocabulary sorted by frequency.
            Add(word.ToString(), -9.0 - 10.0 * pieces.Count / vocabSize);
        }
        return pieces;
    }

    /// <summary>A tiny nmt_nfkc-like charsmap: full-width A–Z/a–z/0–9 to ASCII, and the ideographic space to a space.</summary>
    internal static byte[] BuildCharsMap()
    {
        var rules = new List<(string From, string To)> { ("\u3000", " ") };
        for (int i = 0; i < 26; i++)
        {
            rules.Add((((char)(0xFF21 + i)).ToString(), ((char)('A' + i)).ToString()));
            rules.Add((((char)(0xFF41 + i)).ToString(), ((char)('a' + i)).ToString()));
        }
        for (int i = 0; i < 10; i++) rules.Add((((char)(0xFF10 + i)).ToString(), ((char)('0' + i)).ToString()));
        return PackCharsMap(rules);
    }

    /// <summary>Packs rules into SentencePiece's charsmap layout: u32 trie byte size, darts-clone units, NUL-terminated targets.</summary>
    internal static byte[] PackCharsMap(IReadOnlyList<(string From, string To)> rules)
    {
        var blob = new MemoryStream();
        var keys = new List<(byte[] Key, uint Value)>();
        foreach (var (from, to) in rules)
        {
            keys.Add((Encoding.UTF8.GetBytes(from), (uint)blob.Length));
            byte[] target = Encoding.UTF8.GetBytes(to);
            blob.Write(target);
            blob.WriteByte(0);
        }
        uint[] units = DoubleArray.Build(keys);
        var result = new byte[4 + units.Length * 4 + blob.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)(units.Length * 4));
        for (int i = 0; i < units.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4 + 4 * i), units[i]);
        blob.ToArray().CopyTo(result, 4 + units.Length * 4);
        return result;
    }

    /// <summary>
    /// A minimal darts-clone double-array builder (small key sets only): each node gets a unique base such that every
    /// child label c lands on a free unit base ^ c, and a key's value sits at base ^ 0 of its last node.
    /// </summary>
    private static class DoubleArray
    {
        private sealed class Node
        {
            public readonly SortedDictionary<byte, Node> Children = new();
            public uint? Value;
        }

        public static uint[] Build(List<(byte[] Key, uint Value)> keys)
        {
            var root = new Node();
            foreach (var (key, value) in keys)
            {
                Node node = root;
                foreach (byte b in key)
                {
                    if (!node.Children.TryGetValue(b, out Node? child)) node.Children[b] = child = new Node();
                    node = child;
                }
                node.Value ??= value;
            }

            var units = new Dictionary<long, uint> { [0] = 0 };
            var usedBases = new HashSet<long>();
            var queue = new Queue<(Node Node, long Position)>();
            queue.Enqueue((root, 0));
            while (queue.Count > 0)
            {
                var (node, position) = queue.Dequeue();
                long b = 1;
                while (usedBases.Contains(b) || (node.Value is not null && units.ContainsKey(b)) || node.Children.Keys.Any(c => units.ContainsKey(b ^ c))) b++;
                usedBases.Add(b);
                long offset = position ^ b;
                if (offset >= 1 << 21) throw new InvalidOperationException("charsmap too large for the minimal double-array builder");
                bool leaf = node.Value is not null;
                uint label = units[position] & 0xFF;
                units[position] = ((uint)offset << 10) | (leaf ? 1u << 8 : 0) | label;
                if (leaf) units[b] = 0x80000000u | node.Value!.Value;
                foreach (var (c, child) in node.Children)
                {
                    units[b ^ c] = c; // label now; offset and leaf flag filled when the child is visited
                    queue.Enqueue((child, b ^ c));
                }
            }
            var array = new uint[units.Keys.Max() + 1];
            foreach (var (position, unit) in units) array[position] = unit;
            return array;
        }
    }
}
