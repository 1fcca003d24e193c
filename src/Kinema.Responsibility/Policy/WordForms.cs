namespace Kinema.Responsibility.Policy;

/// <summary>
/// Simple English inflection: the base forms a token may be an inflection of. Policy terms are
/// written in base form ("behead", "nude"); a token matches when one of its candidate bases equals the
/// term's word. Candidates rather than one stem keep unrelated words apart ("grapes" never becomes
/// "rape", "rapper" never becomes "rape").
/// </summary>
internal static class WordForms
{
    public static HashSet<string> Bases(string token)
    {
        var bases = new HashSet<string> { token };
        void TryStrip(string suffix, string replacement = "")
        {
            if (token.Length > suffix.Length + 2 && token.EndsWith(suffix, StringComparison.Ordinal))
            {
                string stem = token[..^suffix.Length] + replacement;
                bases.Add(stem);
                // A doubled final consonant ("stabbing" → "stabb" → "stab").
                if (replacement.Length == 0 && stem.Length >= 3 && stem[^1] == stem[^2] && !"aeiou".Contains(stem[^1])) bases.Add(stem[..^1]);
            }
        }
        TryStrip("s");
        TryStrip("es");
        TryStrip("ies", "y");
        TryStrip("ing");
        TryStrip("ing", "e");
        TryStrip("ed");
        TryStrip("ed", "e");
        TryStrip("d");
        TryStrip("er");
        TryStrip("ers");
        TryStrip("ion");
        TryStrip("ion", "e");
        TryStrip("ions");
        TryStrip("ions", "e");
        TryStrip("ly");
        // Stretched letters were squeezed to two; also try one ("nuude" → "nude").
        foreach (string b in bases.ToList())
            for (int i = 1; i < b.Length; i++)
                if (b[i] == b[i - 1]) bases.Add(b.Remove(i, 1));
        return bases;
    }
}
