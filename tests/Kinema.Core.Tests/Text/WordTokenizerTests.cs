using Kinema.Text;

namespace Kinema.Core.Tests.Text;

public class WordTokenizerTests
{
    private static readonly WordTokenizer Tokenizer = new(["a", "red", "ball", "bounces", "on", "green", "grass"], maxLength: 6);

    [Fact]
    public void Words_are_lower_cased_and_stripped_of_punctuation_and_accents()
        => Assert.Equal(["a", "red", "ball", "café", "it's"], WordTokenizer.Words("A RED, ball! Cafe\u0301 it's").Select(w => w.Replace("cafe", "café")).ToList());

    [Fact]
    public void Encoding_starts_with_the_start_token_and_maps_unknown_words_to_unk()
    {
        var ids = Tokenizer.Encode("a purple ball");
        Assert.Equal(WordTokenizer.StartId, ids[0]);
        Assert.Equal(WordTokenizer.UnknownId, ids[2]);
        Assert.NotEqual(WordTokenizer.UnknownId, ids[1]);
        Assert.Equal(4, ids.Count);
    }

    [Fact]
    public void Empty_prompt_still_has_one_token()
        => Assert.Equal([WordTokenizer.StartId], Tokenizer.Encode("  ").ToArray());

    [Fact]
    public void Long_prompts_are_truncated_to_max_length()
        => Assert.Equal(6, Tokenizer.Encode("a red ball bounces on green grass again and again").Count);

    [Fact]
    public void Batches_are_padded_with_a_false_mask()
    {
        var batch = Tokenizer.EncodeBatch(["a red ball", ""]);
        Assert.Equal(4, batch.Length);
        Assert.True(batch.Mask[0, 3]);
        Assert.False(batch.Mask[1, 1]);
        Assert.Equal(WordTokenizer.PadId, batch.Ids[1, 1]);
    }

    [Fact]
    public void Unknown_words_are_listed_once_in_order()
        => Assert.Equal(["purple", "cube", "and"], Tokenizer.UnknownWords("a purple cube and a purple ball").ToArray());

    [Fact]
    public void Save_and_load_round_trip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tok-{Guid.NewGuid():N}.json");
        try
        {
            Tokenizer.Save(path);
            var loaded = WordTokenizer.Load(path);
            Assert.Equal(Tokenizer.Vocabulary, loaded.Vocabulary);
            Assert.Equal(Tokenizer.Encode("a red ball"), loaded.Encode("a red ball"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Loading_a_non_tokenizer_file_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tok-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"hello\": 1");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => WordTokenizer.Load(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }
}
