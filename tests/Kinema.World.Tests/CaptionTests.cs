namespace Kinema.World.Tests;

public class CaptionTests
{
    private static bool MentionsAny(string caption, IEnumerable<string> phrases) =>
        phrases.Any(p => caption.Contains(p, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Words(IEnumerable<(string One, string Many)> pairs) => pairs.SelectMany(p => new[] { p.One, p.Many });

    private static IEnumerable<string> MotionWords(SceneObject o) =>
        Words(CaptionVocabulary.Motion(o.Motion)).Select(w => w.Replace("{dir}", SceneSimulation.WalkDirection(o) > 0 ? "right" : "left"));

    public static TheoryData<int> Seeds() => new(Enumerable.Range(0, 40));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Detailed_captions_mention_every_attribute(int seed)
    {
        var scene = SceneSampler.Sample(seed);
        string caption = CaptionGenerator.Generate(scene, seed, SplitName.Train, CaptionStyle.Detailed);
        Assert.True(MentionsAny(caption, CaptionVocabulary.Background(scene.Background)), $"background missing: {caption}");
        Assert.True(MentionsAny(caption, CaptionVocabulary.TimeOfDay(scene.TimeOfDay)), $"time of day missing: {caption}");
        Assert.True(MentionsAny(caption, CaptionVocabulary.Weather(scene.Weather)), $"weather missing: {caption}");
        Assert.True(MentionsAny(caption, CaptionVocabulary.Camera(scene.Camera)), $"camera missing: {caption}");
        foreach (var o in scene.Objects)
        {
            Assert.True(MentionsAny(caption, CaptionVocabulary.Color(o.Color)), $"{o.Color} missing: {caption}");
            Assert.True(MentionsAny(caption, Words(CaptionVocabulary.Shape(o.Shape))), $"{o.Shape} missing: {caption}");
            Assert.True(MentionsAny(caption, CaptionVocabulary.Size(o.Size)), $"{o.Size} missing: {caption}");
            Assert.True(MentionsAny(caption, MotionWords(o)), $"{o.Motion} missing: {caption}");
            if (o.Motion != MotionKind.Still) Assert.True(MentionsAny(caption, CaptionVocabulary.Speed(o.Speed)), $"{o.Speed} missing: {caption}");
        }
    }

    [Fact]
    public void Every_attribute_value_has_at_least_two_phrasings()
    {
        Assert.All(Enum.GetValues<NamedColor>(), v => Assert.True(CaptionVocabulary.Color(v).Count >= 2));
        Assert.All(Enum.GetValues<ShapeKind>(), v => Assert.True(CaptionVocabulary.Shape(v).Count >= 2));
        Assert.All(Enum.GetValues<MotionKind>(), v => Assert.True(CaptionVocabulary.Motion(v).Count >= 2));
        Assert.All(Enum.GetValues<Background>(), v => Assert.True(CaptionVocabulary.Background(v).Count >= 2));
        Assert.All(Enum.GetValues<TimeOfDay>(), v => Assert.True(CaptionVocabulary.TimeOfDay(v).Count >= 2));
        Assert.All(Enum.GetValues<Weather>(), v => Assert.True(CaptionVocabulary.Weather(v).Count >= 2));
        Assert.All(Enum.GetValues<CameraMotion>(), v => Assert.True(CaptionVocabulary.Camera(v).Count >= 2));
        Assert.All(Enum.GetValues<Speed>(), v => Assert.True(CaptionVocabulary.Speed(v).Count >= 2));
        Assert.All(Enum.GetValues<ObjectSize>(), v => Assert.True(CaptionVocabulary.Size(v).Count >= 2));
    }

    [Fact]
    public void Identical_objects_are_counted()
    {
        var ball = new SceneObject(ShapeKind.Ball, NamedColor.Red, ObjectSize.Small, MotionKind.Jump, Speed.Normal, 0.3, 0.8, 0);
        var scene = new Scene(1, Background.Beach, TimeOfDay.Day, Weather.None, CameraMotion.Static, [ball, ball with { X = 0.7 }]);
        Assert.All(Enumerable.Range(0, 20), v => Assert.Contains("two ", CaptionGenerator.Generate(scene, v, SplitName.Train, CaptionStyle.Plain).ToLowerInvariant()));
    }

    [Fact]
    public void Detailed_captions_state_a_spatial_relation_between_objects()
    {
        var left = new SceneObject(ShapeKind.Ball, NamedColor.Red, ObjectSize.Small, MotionKind.Still, Speed.Normal, 0.2, 0.8, 0);
        var right = left with { Shape = ShapeKind.Star, Color = NamedColor.Blue, X = 0.8 };
        var scene = new Scene(1, Background.Beach, TimeOfDay.Day, Weather.None, CameraMotion.Static, [left, right]);
        Assert.Contains("to the left of", CaptionGenerator.Generate(scene, 0, SplitName.Train, CaptionStyle.Detailed));
    }

    [Fact]
    public void Training_captions_never_use_held_out_words_or_templates()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            string caption = CaptionGenerator.Generate(SceneSampler.Sample(seed), seed);
            Assert.False(WorldSplit.UsesHeldOutWord(caption), caption);
            Assert.False(caption.StartsWith("show me", StringComparison.Ordinal), caption);
        }
    }

    [Fact]
    public void Held_out_captions_always_use_a_held_out_word_or_template()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            string caption = CaptionGenerator.Generate(SceneSampler.Sample(seed, SplitName.HeldOut), seed, SplitName.HeldOut);
            bool heldOutTemplate = caption.StartsWith("show me", StringComparison.Ordinal) || CaptionVocabulary.TimeOfDay(SceneSampler.Sample(seed, SplitName.HeldOut).TimeOfDay).Any(t => caption.StartsWith(char.ToUpperInvariant(t[0]) + t[1..] + ", in ", StringComparison.Ordinal));
            Assert.True(WorldSplit.UsesHeldOutWord(caption) || heldOutTemplate, caption);
        }
    }
}
