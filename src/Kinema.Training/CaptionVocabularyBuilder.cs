using Kinema.Text;
using Kinema.World;

namespace Kinema.Training;

/// <summary>
/// The tokenizer's vocabulary: every word of many training-split captions. Held-out synonyms never occur
/// in training captions, so they stay unknown to the model, which is what the held-out split measures.
/// </summary>
public static class CaptionVocabularyBuilder
{
    public static IReadOnlyList<string> Collect(int scenes = 20_000, int seed = 0)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < scenes; i++)
        {
            var scene = SceneSampler.Sample(seed + i, SplitName.Train);
            foreach (var style in Enum.GetValues<CaptionStyle>())
                foreach (var word in WordTokenizer.Words(CaptionGenerator.Generate(scene, i, SplitName.Train, style)))
                    words.Add(word);
        }
        return words.Order(StringComparer.Ordinal).ToList();
    }
}
