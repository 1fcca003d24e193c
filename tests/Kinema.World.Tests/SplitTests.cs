namespace Kinema.World.Tests;

public class SplitTests
{
    [Fact]
    public void Training_scenes_never_contain_a_held_out_triple()
    {
        for (int seed = 0; seed < 400; seed++)
            Assert.False(WorldSplit.ContainsHeldOutTriple(SceneSampler.Sample(seed, SplitName.Train)), $"seed {seed}");
    }

    [Fact]
    public void Held_out_scenes_always_contain_a_held_out_triple()
    {
        for (int seed = 0; seed < 100; seed++)
            Assert.True(WorldSplit.ContainsHeldOutTriple(SceneSampler.Sample(seed, SplitName.HeldOut)), $"seed {seed}");
    }

    [Fact]
    public void Every_held_out_triple_is_a_motion_the_sampler_uses_for_that_shape()
    {
        Assert.All(WorldSplit.HeldOutTriples, t => Assert.Contains(t.Motion, SceneSampler.MotionsFor(t.Shape)));
    }

    [Fact]
    public void Every_held_out_word_is_used_by_some_phrase()
    {
        var phrases = Enum.GetValues<NamedColor>().SelectMany(CaptionVocabulary.Color)
            .Concat(Enum.GetValues<ShapeKind>().SelectMany(s => CaptionVocabulary.Shape(s).SelectMany(p => new[] { p.One, p.Many })))
            .Concat(Enum.GetValues<MotionKind>().SelectMany(m => CaptionVocabulary.Motion(m).SelectMany(p => new[] { p.One, p.Many })))
            .Concat(Enum.GetValues<TimeOfDay>().SelectMany(CaptionVocabulary.TimeOfDay))
            .Concat(Enum.GetValues<CameraMotion>().SelectMany(CaptionVocabulary.Camera))
            .ToArray();
        Assert.All(WorldSplit.HeldOutWords, word => Assert.Contains(phrases, p => p.Split(' ', '-').Contains(word)));
    }

    [Fact]
    public void Sampled_scenes_cover_every_attribute_value()
    {
        var scenes = Enumerable.Range(0, 600).Select(s => SceneSampler.Sample(s)).ToArray();
        var objects = scenes.SelectMany(s => s.Objects).ToArray();
        Assert.Equal(Enum.GetValues<Background>().Length, scenes.Select(s => s.Background).Distinct().Count());
        Assert.Equal(Enum.GetValues<TimeOfDay>().Length, scenes.Select(s => s.TimeOfDay).Distinct().Count());
        Assert.Equal(Enum.GetValues<Weather>().Length, scenes.Select(s => s.Weather).Distinct().Count());
        Assert.Equal(Enum.GetValues<CameraMotion>().Length, scenes.Select(s => s.Camera).Distinct().Count());
        Assert.Equal(Enum.GetValues<ShapeKind>().Length, objects.Select(o => o.Shape).Distinct().Count());
        Assert.Equal(Enum.GetValues<NamedColor>().Length, objects.Select(o => o.Color).Distinct().Count());
        Assert.Equal(Enum.GetValues<MotionKind>().Length, objects.Select(o => o.Motion).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 4), scenes.Select(s => s.Objects.Count).Distinct().Order());
    }
}
