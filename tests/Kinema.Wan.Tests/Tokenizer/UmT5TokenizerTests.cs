using System.Buffers.Binary;
using System.Text;
using Kinema.Wan.Tokenizer;

namespace Kinema.Wan.Tests.Tokenizer;

public sealed class UmT5TokenizerTests
{
    // A hand-made Unigram vocabulary. min score = -5 (piece "d"), so an unknown character costs -5 - 10 = -15.
    //   id: 0 <pad> 0 | 1 </s> 0 | 2 <unk> 0 | 3 ▁ -3 | 4 ▁a -2 | 5 ▁ab -1 | 6 a -3 | 7 b -3 | 8 c -4 | 9 bc -1.5
    //       10 abc -4.5 | 11 <0x7A> 0 (the byte 'z') | 12 d -5
    private static string TinyTokenizerJson(bool byteFallback = true, string normalizer =
        """{"type":"Sequence","normalizers":[{"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}]}""") => """
        {
          "version": "1.0",
          "added_tokens": [
            {"id":0,"content":"<pad>","special":true,"normalized":false},
            {"id":1,"content":"</s>","special":true,"normalized":false},
            {"id":2,"content":"<unk>","special":true,"normalized":false}
          ],
          "normalizer": @NORMALIZER@,
          "pre_tokenizer": {"type":"Metaspace","replacement":"▁","add_prefix_space":true},
          "post_processor": {"type":"TemplateProcessing",
            "single":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
            "special_tokens":{"</s>":{"id":"</s>","ids":[1],"tokens":["</s>"]}}},
          "model": {"type":"Unigram","unk_id":2,"byte_fallback":@BYTEFALLBACK@,"vocab":[
            ["<pad>",0.0],["</s>",0.0],["<unk>",0.0],["▁",-3.0],["▁a",-2.0],["▁ab",-1.0],["a",-3.0],["b",-3.0],
            ["c",-4.0],["bc",-1.5],["abc",-4.5],["<0x7A>",0.0],["d",-5.0]]}
        }
        """.Replace("@NORMALIZER@", normalizer).Replace("@BYTEFALLBACK@", byteFallback ? "true" : "false");

    private static UmT5Tokenizer LoadTiny(TempFolder folder, bool byteFallback = true)
    {
        string path = folder.Combine("tokenizer.json");
        File.WriteAllText(path, TinyTokenizerJson(byteFallback));
        return UmT5Tokenizer.Load(path);
    }

    [Fact]
    public void Viterbi_picks_the_best_total_score_not_the_longest_first_piece()
    {
        using var folder = new TempFolder();
        var tokenizer = LoadTiny(folder);
        // "abc" → "▁abc". Paths: ▁ab+c = -1-4 = -5; ▁a+bc = -2-1.5 = -3.5 (best); ▁+abc = -3-4.5 = -7.5;
        // ▁+a+bc = -7.5; ▁a+b+c = -9. Greedy longest-prefix would give ▁ab+c = [5, 8]; Viterbi gives [4, 9], then </s>.
        Assert.Equal(new[] { 4, 9, 1 }, tokenizer.Encode("abc"));
        Assert.Equal(new[] { 4, 9 }, tokenizer.Encode("abc", addSpecialTokens: false));
    }

    [Fact]
    public void Unknown_characters_fall_back_to_bytes_or_unk_and_runs_are_fused()
    {
        using var folder = new TempFolder();
        var withBytes = LoadTiny(folder);
        // "▁abz": best to "▁ab" is -1 (▁ab); 'z' has no piece, so it is unknown (-15): [▁ab, z] → z has the byte piece <0x7A>.
        Assert.Equal(new[] { 5, 11, 1 }, withBytes.Encode("abz"));
        // "▁zz": ▁ (-3), then two unknowns fused into one piece "zz" → two byte pieces.
        Assert.Equal(new[] { 3, 11, 11, 1 }, withBytes.Encode("zz"));

        using var other = new TempFolder();
        File.WriteAllText(other.Combine("tokenizer.json"), TinyTokenizerJson(byteFallback: false));
        var noBytes = UmT5Tokenizer.Load(other.Path);
        Assert.Equal(new[] { 5, 2, 1 }, noBytes.Encode("abz"));
        // The fused run "zz" is a single <unk>.
        Assert.Equal(new[] { 3, 2, 1 }, noBytes.Encode("zz"));
    }

    [Fact]
    public void Normalizer_metaspace_and_special_tokens_compose()
    {
        using var folder = new TempFolder();
        var tokenizer = LoadTiny(folder);
        // Replace " {2,}" → " ", then "▁abc▁abc" splits before each ▁ into two words.
        Assert.Equal(new[] { 4, 9, 4, 9, 1 }, tokenizer.Encode("abc  abc"));
        // A special token in the text is taken as is; the text after it gets its own ▁ prefix.
        Assert.Equal(new[] { 4, 9, 1, 4, 9, 1 }, tokenizer.Encode("abc</s>abc"));
    }

    [Fact]
    public void Batches_are_truncated_keeping_eos_and_padded_with_a_mask()
    {
        using var folder = new TempFolder();
        var tokenizer = LoadTiny(folder);
        var batch = tokenizer.EncodeBatch(["abc abc abc", "abc", ""], maxLength: 4);
        Assert.Equal(new long[] { 4, 9, 4, 1 }, batch.Ids[0]);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, batch.Mask[0]);
        Assert.Equal(new long[] { 4, 9, 1, 0 }, batch.Ids[1]);
        Assert.Equal(new long[] { 1, 1, 1, 0 }, batch.Mask[1]);
        Assert.Equal(new long[] { 1, 0, 0, 0 }, batch.Ids[2]);
        Assert.Equal(new[] { 4, 3, 1 }, batch.Lengths);

        var wan = tokenizer.EncodeBatch(["abc"]);
        Assert.Equal(UmT5Tokenizer.WanMaxLength, wan.Length);
        Assert.Equal(3, wan.Lengths[0]);
    }

    [Fact]
    public void Prompt_cleaning_matches_wan_whitespace_clean()
    {
        Assert.Equal("a & b c \"q\" 'r'", UmT5Tokenizer.CleanPrompt("  a &amp;amp; b\n\t c \u201Cq\u201D \u2018r\u2019 "));
        Assert.Equal("", UmT5Tokenizer.CleanPrompt(" \n "));
        // ftfy's fixes for well-formed text: ligatures and full-width forms expanded, control characters dropped, NFC.
        Assert.Equal("fine Full caf\u00E9", UmT5Tokenizer.CleanPrompt("\uFB01ne\u0007 \uFF26\uFF55\uFF4C\uFF4C cafe\u0301"));
    }

    [Fact]
    public void Precompiled_charsmap_is_read_from_the_darts_trie()
    {
        // A hand-built darts-clone array for the single rule "A" → "a":
        //   unit[0]  = offset 1 (1 << 10): root base = 0 ^ 1 = 1
        //   'A' = 0x41 → position 1 ^ 0x41 = 64: unit[64] = label 0x41 | has-leaf (1 << 8) | offset 66 << 10
        //   leaf at 64 ^ 66 = 2: unit[2] = 0x80000000 | 0 (value = offset of "a\0" in the string blob)
        var units = new uint[65];
        units[0] = 1u << 10;
        units[64] = 0x41u | (1u << 8) | (66u << 10);
        units[2] = 0x80000000u;
        byte[] blob = "a\0"u8.ToArray();
        var charsMap = new byte[4 + units.Length * 4 + blob.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(charsMap, (uint)(units.Length * 4));
        for (int i = 0; i < units.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(charsMap.AsSpan(4 + 4 * i), units[i]);
        blob.CopyTo(charsMap, 4 + units.Length * 4);

        var map = new PrecompiledCharsMap(charsMap, "test");
        Assert.Equal("xay", map.Normalize("xAy"));
        Assert.Equal("B", map.Normalize("B"));

        using var folder = new TempFolder();
        string normalizer = $$"""{"type":"Precompiled","precompiled_charsmap":"{{Convert.ToBase64String(charsMap)}}"}""";
        File.WriteAllText(folder.Combine("tokenizer.json"), TinyTokenizerJson(normalizer: normalizer));
        Assert.Equal(new[] { 4, 9, 1 }, UmT5Tokenizer.Load(folder.Path).Encode("Abc"));
    }

    [Fact]
    public void Missing_and_malformed_files_fail_clearly()
    {
        using var folder = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => UmT5Tokenizer.Load(folder.Path));
        Assert.Contains("tokenizer.json", missing.Message);

        File.WriteAllBytes(folder.Combine("spiece.model"), [1, 2, 3]);
        var spiece = Assert.Throws<FileNotFoundException>(() => UmT5Tokenizer.Load(folder.Path));
        Assert.Contains("spiece.model", spiece.Message);

        string path = folder.Combine("tokenizer.json");
        File.WriteAllText(path, "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<TokenizerFormatException>(() => UmT5Tokenizer.Load(path)).Message);

        File.WriteAllText(path, """{"model":{"type":"BPE","vocab":{}}}""");
        Assert.Contains("Unigram", Assert.Throws<TokenizerFormatException>(() => UmT5Tokenizer.Load(path)).Message);

        File.WriteAllText(path, """{"model":{"type":"Unigram","unk_id":0,"vocab":[["a",-1.0],["b"]]}}""");
        Assert.Contains("vocab[1]", Assert.Throws<TokenizerFormatException>(() => UmT5Tokenizer.Load(path)).Message);

        File.WriteAllText(path, """{"model":{"type":"Unigram","unk_id":0,"vocab":[["a",-1.0]]},"normalizer":{"type":"Mystery"}}""");
        Assert.Contains("Mystery", Assert.Throws<TokenizerFormatException>(() => UmT5Tokenizer.Load(path)).Message);
    }

    [Fact]
    public void Written_synthetic_tokenizer_has_the_umt5_schema_and_loads()
    {
        using var folder = new TempFolder();
        TokenizerJsonWriter.Write(folder.Path, vocabSize: 3000, seed: 1);
        var tokenizer = UmT5Tokenizer.Load(folder.Path);
        Assert.Equal(3000, tokenizer.VocabSize);
        Assert.Equal(0, tokenizer.PadId);
        var ids = tokenizer.Encode("Hello, world");
        Assert.Equal(1, ids[^1]);
        // The synthetic charsmap folds full-width letters like nmt_nfkc does, so both spellings tokenize alike.
        Assert.Equal(ids, tokenizer.Encode("\uFF28\uFF45\uFF4C\uFF4C\uFF4F, \uFF57\uFF4F\uFF52\uFF4C\uFF44"));
        // Non-ASCII text falls back to bytes rather than <unk>.
        var bytes = tokenizer.Encode("é", addSpecialTokens: false);
        Assert.DoesNotContain(3, bytes);
        Assert.Equal(Encoding.UTF8.GetByteCount("é"), bytes.Count - 1); // "▁" then one piece per UTF-8 byte

        string json = File.ReadAllText(folder.Combine("tokenizer.json"));
        Assert.Contains("\"Precompiled\"", json);
        Assert.Contains("\"Metaspace\"", json);
        Assert.Contains("\"TemplateProcessing\"", json);
        Assert.True(File.Exists(folder.Combine("tokenizer_config.json")));
    }

    [Fact]
    public void Full_size_synthetic_tokenizer_has_umt5_vocabulary_size()
    {
        using var folder = new TempFolder();
        TokenizerJsonWriter.Write(folder.Path, TokenizerJsonWriter.UmT5VocabSize);
        var tokenizer = UmT5Tokenizer.Load(folder.Path);
        Assert.Equal(256_384, tokenizer.VocabSize);
        Assert.Equal(1, tokenizer.Encode("a prompt")[^1]);
    }
}
