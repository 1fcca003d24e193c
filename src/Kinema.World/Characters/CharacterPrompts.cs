using System.Text;
using System.Text.RegularExpressions;

namespace Kinema.World.Characters;

/// <summary>A prompt after character names were replaced by their descriptions, and which characters it used.</summary>
public sealed record ExpandedPrompt(string Prompt, IReadOnlyList<Character> Used)
{
    public bool Changed => Used.Count > 0;
}

/// <summary>Replaces character names in prompts by the characters' appearance descriptions.</summary>
public static class CharacterPrompts
{
    /// <summary>
    /// Replaces whole-word, case-insensitive occurrences of each character's name by its description.
    /// Longer names go first and replaced text is never matched again, so "Red Rex" wins over "Rex" and a
    /// description that happens to contain another name stays as it is. A name inside a longer word
    /// ("Rexford" for "Rex") does not match.
    /// </summary>
    public static ExpandedPrompt Expand(string prompt, IEnumerable<Character> characters)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(characters);
        var ordered = characters.Where(c => !string.IsNullOrWhiteSpace(c.Name))
            .OrderByDescending(c => c.Name.Length).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
        if (ordered.Count == 0 || prompt.Length == 0) return new ExpandedPrompt(prompt, []);
        // One alternation, longest first: the regex engine tries alternatives in order at each position.
        string pattern = @"(?<![\p{L}\p{N}_])(?:" + string.Join("|", ordered.Select(c => Regex.Escape(c.Name.Trim()).Replace(@"\ ", @"\s+"))) + @")(?![\p{L}\p{N}_])";
        var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var used = new List<Character>();
        string expanded = regex.Replace(prompt, match =>
        {
            string text = Regex.Replace(match.Value, @"\s+", " ");
            var character = ordered.First(c => string.Equals(c.Name.Trim(), text, StringComparison.OrdinalIgnoreCase));
            if (!used.Contains(character)) used.Add(character);
            return character.Description;
        });
        return new ExpandedPrompt(expanded, used);
    }
}
