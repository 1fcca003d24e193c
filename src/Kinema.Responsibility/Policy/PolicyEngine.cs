using System.Text.RegularExpressions;

namespace Kinema.Responsibility.Policy;

/// <summary>
/// Checks text against a <see cref="PolicyDocument"/>. Build one per policy and reuse it (it is
/// immutable and thread-safe). Every field of a request is checked (prompt, negative prompt,
/// storyboard cards, character names...); the decision is the strongest action of any match.
/// </summary>
public sealed class PolicyEngine
{
    private readonly PolicyDocument _policy;
    private readonly List<CompiledCategory> _categories;
    private readonly List<string[]> _allowPhrases;

    public PolicyEngine(PolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _categories = [.. policy.Categories.Select(c => new CompiledCategory(c))];
        _allowPhrases = [.. policy.Allow.Select(p => TextNormalizer.Readings(p)[0]).Where(p => p.Length > 0)];
    }

    public PolicyDocument Policy => _policy;

    /// <summary>The engine for the shipped default policy.</summary>
    public static PolicyEngine Default { get; } = new(PolicyDocument.LoadDefault());

    /// <summary>Checks one piece of text; <paramref name="field"/> names it in the explanation.</summary>
    public PolicyDecision Check(string text, string field = "prompt") => Check([(field, text)]);

    /// <summary>Checks several named fields (e.g. ("prompt", ...), ("negative_prompt", ...)); empty ones are skipped.</summary>
    public PolicyDecision Check(IEnumerable<(string Field, string? Text)> fields)
    {
        var matches = new List<PolicyMatch>();
        foreach (var (field, text) in fields)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var readings = TextNormalizer.Readings(text).Select(RemoveAllowed).Select(tokens => new Reading(tokens)).ToList();
            string compact = string.Concat(readings[0].Tokens);
            string compactLeet = TextNormalizer.Compact(text);
            foreach (var category in _categories)
            {
                var match = category.Match(readings, compact, compactLeet);
                if (match is { } m) matches.Add(new PolicyMatch(category.Source.Id, category.Source.Name, category.Source.Action, field, m.Rule, m.Text));
            }
        }
        PolicyAction action = matches.Count == 0 ? PolicyAction.Allow : matches.Max(m => m.Action);
        return new PolicyDecision(action, matches, _policy.Name);
    }

    /// <summary>Removes allowed phrases so their words cannot trigger a category ("kill the lights").</summary>
    private string[] RemoveAllowed(string[] tokens)
    {
        if (_allowPhrases.Count == 0) return tokens;
        var kept = new List<string>(tokens.Length);
        int i = 0;
        while (i < tokens.Length)
        {
            string[]? phrase = _allowPhrases.FirstOrDefault(p => StartsWith(tokens, i, p));
            if (phrase is not null)
            {
                kept.Add("|");
                i += phrase.Length;
            }
            else kept.Add(tokens[i++]);
        }
        return [.. kept];
    }

    private static bool StartsWith(string[] tokens, int at, string[] phrase)
    {
        if (at + phrase.Length > tokens.Length) return false;
        for (int k = 0; k < phrase.Length; k++)
            if (!WordForms.Bases(tokens[at + k]).Contains(phrase[k])) return false;
        return true;
    }

    /// <summary>One normalised reading with each token's candidate base forms worked out once.</summary>
    private sealed class Reading(string[] tokens)
    {
        public string[] Tokens { get; } = tokens;
        public HashSet<string>[] Bases { get; } = [.. tokens.Select(WordForms.Bases)];
    }

    private sealed class CompiledCategory
    {
        private readonly List<string[]> _terms;
        private readonly List<Regex> _patterns;
        private readonly List<string> _compactTerms;
        private readonly List<List<List<string[]>>> _combinations;

        public CompiledCategory(PolicyCategory source)
        {
            Source = source;
            _terms = [.. source.Terms.Select(Phrase).Where(t => t.Length > 0)];
            _patterns = [.. source.Patterns.Select(p => new Regex(p, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(200)))];
            _compactTerms = [.. source.CompactTerms.Select(TextNormalizer.Compact).Where(t => t.Length >= 4)];
            _combinations = [.. source.Combinations.Select(groups => groups.Select(group => group.Select(Phrase).Where(t => t.Length > 0).ToList()).ToList())];
        }

        public PolicyCategory Source { get; }

        public (string Rule, string Text)? Match(List<Reading> readings, string compact, string compactLeet)
        {
            foreach (Reading reading in readings)
            {
                string[] tokens = reading.Tokens;
                foreach (string[] term in _terms)
                    if (Find(reading, term) is { } at) return ($"term \"{string.Join(' ', term)}\"", string.Join(' ', tokens.Skip(at).Take(term.Length)));
                string joined = string.Join(' ', tokens);
                foreach (var pattern in _patterns)
                    if (pattern.Match(joined) is { Success: true } m) return ($"pattern /{pattern}/", m.Value);
                foreach (var combination in _combinations)
                {
                    var found = new List<string>();
                    foreach (var group in combination)
                    {
                        string[]? hit = group.FirstOrDefault(term => Find(reading, term) is not null);
                        if (hit is null) break;
                        found.Add(string.Join(' ', hit));
                    }
                    if (found.Count == combination.Count) return ($"combination of {string.Join(" + ", found.Select(f => $"\"{f}\""))}", string.Join(" ... ", found));
                }
            }
            foreach (string term in _compactTerms)
                if (compact.Contains(term, StringComparison.Ordinal) || compactLeet.Contains(term, StringComparison.Ordinal))
                    return ($"term \"{term}\" (ignoring spaces and punctuation)", term);
            return null;
        }

        private static string[] Phrase(string text) => TextNormalizer.Readings(text)[0];

        private static int? Find(Reading reading, string[] term)
        {
            for (int i = 0; i + term.Length <= reading.Tokens.Length; i++)
            {
                bool all = true;
                for (int k = 0; k < term.Length && all; k++) all = reading.Bases[i + k].Contains(term[k]);
                if (all) return i;
            }
            return null;
        }
    }
}
