using System.Text;

namespace Kinema.World;

/// <summary>How much a caption says: a short user prompt, one or two plain sentences, or a long re-caption.</summary>
public enum CaptionStyle { Terse, Plain, Detailed }

/// <summary>
/// Turns a scene into one of many captions. The choice of template, synonyms and word order comes from
/// <c>variant</c>, so one scene yields many phrasings. Training captions avoid the held-out words and
/// templates; held-out captions always use at least one of them. Detailed captions mention every
/// attribute of the scene; terse ones may leave out the camera, the weather and object details, as people do.
/// </summary>
public static class CaptionGenerator
{
    private delegate string Template(Phrasing p);

    private static readonly (string Name, CaptionStyle Style, Template Build)[] Templates =
    [
        ("terse-subject", CaptionStyle.Terse, p => $"{p.Subjects(terse: true)} in {p.Background()}"),
        ("terse-list", CaptionStyle.Terse, p => $"{p.Subjects(terse: true)}, {StripArticle(p.Background())}, {StripPreposition(p.Time())}"),
        ("terse-place-first", CaptionStyle.Terse, p => $"{StripArticle(p.Background())} {p.Time()}: {p.Subjects(terse: true)}"),
        ("plain-subject-first", CaptionStyle.Plain, p => $"{Capitalise(p.Subjects(terse: false))} in {p.Background()} {p.Time()}, {p.Weather()}. {Capitalise(p.Camera())}."),
        ("plain-place-first", CaptionStyle.Plain, p => $"In {p.Background()} {p.Time()}, {p.Subjects(terse: false)} while {p.Camera()}."),
        ("plain-camera-first", CaptionStyle.Plain, p => $"{Capitalise(p.Camera())} as {p.Subjects(terse: false)} in {p.Background()} {p.Weather()}."),
        ("time-first", CaptionStyle.Plain, p => $"{Capitalise(p.Time())}, in {p.Background()}, {p.Subjects(terse: false)}. {Capitalise(p.Camera())}."),
        ("show-me", CaptionStyle.Terse, p => $"show me a video where {p.Subjects(terse: true)} in {p.Background()} {p.Time()}"),
        ("detailed-shot", CaptionStyle.Detailed, p => p.Detailed(cameraFirst: false)),
        ("detailed-camera-first", CaptionStyle.Detailed, p => p.Detailed(cameraFirst: true)),
    ];

    public static IReadOnlyList<string> TemplateNames { get; } = Templates.Select(t => t.Name).ToArray();

    public static string Generate(Scene scene, int variant, SplitName split = SplitName.Train, CaptionStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(scene);
        for (int attempt = 0; attempt < 64; attempt++)
        {
            var random = new SplitMixRandom(scene.Seed ^ (variant * 7919), 1000 + attempt);
            var candidates = Templates
                .Where(t => style is null || t.Style == style)
                .Where(t => split == SplitName.HeldOut || !WorldSplit.HeldOutTemplates.Contains(t.Name))
                .ToArray();
            var template = candidates[random.Next(candidates.Length)];
            var phrasing = new Phrasing(scene, random, split);
            string caption = template.Build(phrasing);
            bool heldOut = WorldSplit.HeldOutTemplates.Contains(template.Name) || WorldSplit.UsesHeldOutWord(caption);
            if (heldOut == (split == SplitName.HeldOut)) return Tidy(caption);
        }
        throw new InvalidOperationException($"no {split} caption could be phrased for scene {scene.Seed}");
    }

    private static string Tidy(string caption)
    {
        var text = new StringBuilder(caption.Length);
        foreach (char c in caption)
        {
            if (c == ' ' && text.Length > 0 && text[^1] == ' ') continue;
            text.Append(c);
        }
        return text.ToString().Replace(" ,", ",").Replace(" .", ".").Trim();
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string StripArticle(string phrase)
    {
        foreach (var article in new[] { "a ", "an ", "the " })
            if (phrase.StartsWith(article, StringComparison.Ordinal)) return phrase[article.Length..];
        return phrase;
    }

    private static string StripPreposition(string phrase)
    {
        foreach (var preposition in new[] { "at ", "in ", "during ", "as " })
            if (phrase.StartsWith(preposition, StringComparison.Ordinal)) return phrase[preposition.Length..];
        return phrase;
    }

    /// <summary>Picks words for one caption; in held-out captions it leans towards held-out words.</summary>
    private sealed class Phrasing(Scene scene, SplitMixRandom random, SplitName split)
    {
        public string Background() => Choose(CaptionVocabulary.Background(scene.Background));
        public string Time() => Choose(CaptionVocabulary.TimeOfDay(scene.TimeOfDay));
        public string Weather() => Choose(CaptionVocabulary.Weather(scene.Weather));
        public string Camera() => Choose(CaptionVocabulary.Camera(scene.Camera));

        /// <summary>All objects, identical ones counted ("two red balls bounce").</summary>
        public string Subjects(bool terse)
        {
            var groups = scene.Objects
                .GroupBy(o => (o.Color, o.Shape, o.Motion, o.Speed, Direction: o.Motion is MotionKind.Walk or MotionKind.Fly ? SceneSimulation.WalkDirection(o) : 0))
                .Select(g => g.ToList())
                .ToList();
            var clauses = groups.Select(g => Clause(g, withSize: !terse || random.NextDouble() < 0.3, withSpeed: !terse || random.NextDouble() < 0.3)).ToList();
            if (clauses.Count == 1) return clauses[0];
            return string.Join(", ", clauses.Take(clauses.Count - 1)) + " and " + clauses[^1];
        }

        public string Detailed(bool cameraFirst)
        {
            var text = new StringBuilder();
            string shot = Choose(["A video", "A clip", "A short animation", "A wide shot"]);
            if (cameraFirst) text.Append(Capitalise(Camera())).Append(" over ").Append(Background()).Append(' ').Append(Time()).Append(", ").Append(Weather()).Append(". ");
            else text.Append(shot).Append(" of ").Append(Background()).Append(' ').Append(Time()).Append(", ").Append(Weather()).Append(". ");
            int total = scene.Objects.Count;
            text.Append(Choose([$"There {(total == 1 ? "is" : "are")} {CaptionVocabulary.Number(total)} {(total == 1 ? "character" : "characters")} in the scene. ", $"The scene shows {CaptionVocabulary.Number(total)} {(total == 1 ? "object" : "objects")}. "]));
            for (int i = 0; i < total; i++)
            {
                var o = scene.Objects[i];
                text.Append(Capitalise(Clause([o], withSize: true, withSpeed: true))).Append(". ");
            }
            if (total > 1)
            {
                var first = scene.Objects[0];
                var second = scene.Objects[1];
                text.Append(Capitalise(NounPhrase(first, definite: true, withSize: false))).Append(" starts ").Append(Relation(first, second)).Append(' ')
                    .Append(NounPhrase(second, definite: true, withSize: false)).Append(". ");
            }
            text.Append(scene.TimeOfDay switch
            {
                World.TimeOfDay.Sunset => "Long shadows stretch across the ground in the warm, low light. ",
                World.TimeOfDay.Night => "Faint light casts soft, short shadows. ",
                _ => "Bright light casts short shadows beneath them. ",
            });
            if (!cameraFirst) text.Append(Capitalise(Camera())).Append('.');
            return text.ToString();
        }

        private string Clause(List<SceneObject> group, bool withSize, bool withSpeed)
        {
            var o = group[0];
            bool many = group.Count > 1;
            bool sameSize = group.All(g => g.Size == o.Size);
            var (one, several) = Choose(CaptionVocabulary.Motion(o.Motion));
            string verb = (many ? several : one).Replace("{dir}", SceneSimulation.WalkDirection(o) > 0 ? "right" : "left");
            string subject = many
                ? $"{CaptionVocabulary.Number(group.Count)} {(withSize && sameSize ? Choose(CaptionVocabulary.Size(o.Size)) + " " : "")}{Choose(CaptionVocabulary.Color(o.Color))} {Choose(CaptionVocabulary.Shape(o.Shape)).Many}"
                : NounPhrase(o, definite: false, withSize);
            if (!withSpeed || o.Motion == MotionKind.Still) return $"{subject} {verb}";
            string speed = Choose(CaptionVocabulary.Speed(o.Speed));
            return random.NextDouble() < 0.5 ? $"{subject} {verb} {speed}" : $"{subject} {AdverbFirst(speed, verb)}";
        }

        private static string AdverbFirst(string speed, string verb) => speed.EndsWith("ly", StringComparison.Ordinal) && !speed.Contains(' ') ? $"{speed} {verb}" : $"{verb} {speed}";

        private string NounPhrase(SceneObject o, bool definite, bool withSize)
        {
            string words = $"{(withSize ? Choose(CaptionVocabulary.Size(o.Size)) + " " : "")}{Choose(CaptionVocabulary.Color(o.Color))} {Choose(CaptionVocabulary.Shape(o.Shape)).One}";
            if (definite) return "the " + words;
            return ("aeiou".Contains(words[0]) ? "an " : "a ") + words;
        }

        private static string Relation(SceneObject a, SceneObject b)
        {
            double dx = a.X - b.X, dy = a.Y - b.Y;
            if (Math.Abs(dx) >= Math.Abs(dy)) return dx < 0 ? "to the left of" : "to the right of";
            return dy < 0 ? "above" : "below";
        }

        private T Choose<T>(IReadOnlyList<T> options)
        {
            if (typeof(T) == typeof(string) || typeof(T) == typeof((string, string)))
            {
                var allowed = options.Where(o => split == SplitName.HeldOut || !WorldSplit.UsesHeldOutWord(Text(o))).ToList();
                var heldOut = allowed.Where(o => WorldSplit.UsesHeldOutWord(Text(o))).ToList();
                if (split == SplitName.HeldOut && heldOut.Count > 0 && random.NextDouble() < 0.6) return heldOut[random.Next(heldOut.Count)];
                return allowed[random.Next(allowed.Count)];
            }
            return options[random.Next(options.Count)];
        }

        private static string Text<T>(T option) => option switch
        {
            string s => s,
            ValueTuple<string, string> pair => pair.Item1 + " " + pair.Item2,
            _ => "",
        };
    }
}
