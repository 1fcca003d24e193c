namespace Kinema.Training.Tests;

public class ConditioningMaskTests
{
    [Theory]
    [InlineData(ConditioningKind.FirstFrame, new[] { true, false, false, false })]
    [InlineData(ConditioningKind.LastFrame, new[] { false, false, false, true })]
    [InlineData(ConditioningKind.None, new[] { false, false, false, false })]
    public void Fixed_kinds_mark_the_expected_frames(ConditioningKind kind, bool[] expected)
        => Assert.Equal(expected, ConditioningMasks.Build(kind, 4, new Random(1)));

    [Fact]
    public void Every_kind_leaves_at_least_one_frame_to_learn()
    {
        var random = new Random(2);
        foreach (var kind in Enum.GetValues<ConditioningKind>())
            for (int frames = 1; frames <= 9; frames++)
                for (int i = 0; i < 20; i++)
                    Assert.Contains(false, ConditioningMasks.Build(kind, frames, random));
    }

    [Fact]
    public void Spans_are_contiguous_from_their_end()
    {
        var random = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            var leading = ConditioningMasks.Build(ConditioningKind.LeadingSpan, 6, random);
            int n = leading.Count(k => k);
            Assert.All(leading.Take(n), Assert.True);
            var trailing = ConditioningMasks.Build(ConditioningKind.TrailingSpan, 6, random);
            int m = trailing.Count(k => k);
            Assert.All(trailing.Skip(6 - m), Assert.True);
        }
    }

    [Fact]
    public void Both_ends_are_given_and_the_middle_is_learned()
    {
        var random = new Random(4);
        for (int i = 0; i < 50; i++)
        {
            var mask = ConditioningMasks.Build(ConditioningKind.BothEnds, 5, random);
            Assert.True(mask[0] && mask[^1]);
        }
    }

    [Fact]
    public void Plain_text_to_video_is_the_most_frequent_kind()
    {
        var random = new Random(5);
        var counts = Enumerable.Range(0, 4000).Select(_ => ConditioningMasks.SampleKind(random)).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ConditioningKind.None, counts.MaxBy(kv => kv.Value).Key);
        Assert.Equal(Enum.GetValues<ConditioningKind>().Length, counts.Count);
    }
}
