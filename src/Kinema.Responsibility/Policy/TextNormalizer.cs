using System.Globalization;
using System.Text;

namespace Kinema.Responsibility.Policy;

/// <summary>
/// Turns a prompt into the forms the policy matches against, undoing the cheap tricks used to slip
/// words past a filter: compatibility forms (fullwidth letters, ligatures) via NFKC, invisible
/// characters (zero-width spaces and joiners, soft hyphens), look-alike letters from Cyrillic and
/// Greek, accents, case, leetspeak digits and symbols, punctuation or spaces inserted between letters,
/// and stretched letters ("nuuude"). Inflections are handled when tokens are compared
/// (<see cref="WordForms"/>).
/// </summary>
public static class TextNormalizer
{
    private static readonly Dictionary<char, char> Homoglyphs = new()
    {
        // Cyrillic
        ['а'] = 'a', ['в'] = 'b', ['е'] = 'e', ['ё'] = 'e', ['к'] = 'k', ['м'] = 'm', ['н'] = 'h', ['о'] = 'o', ['р'] = 'p',
        ['с'] = 'c', ['т'] = 't', ['у'] = 'y', ['х'] = 'x', ['ѕ'] = 's', ['і'] = 'i', ['ї'] = 'i', ['ј'] = 'j', ['ԁ'] = 'd',
        ['ԛ'] = 'q', ['ԝ'] = 'w', ['һ'] = 'h', ['ӏ'] = 'l', ['ɡ'] = 'g', ['п'] = 'n', ['г'] = 'r', ['ь'] = 'b', ['ү'] = 'y',
        // Greek
        ['α'] = 'a', ['β'] = 'b', ['γ'] = 'y', ['ε'] = 'e', ['η'] = 'n', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o',
        ['ρ'] = 'p', ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ω'] = 'w', ['ς'] = 's', ['σ'] = 'o', ['μ'] = 'u', ['ζ'] = 'z',
        // Latin look-alikes outside ASCII that NFKC keeps
        ['ı'] = 'i', ['ł'] = 'l', ['ø'] = 'o', ['đ'] = 'd', ['ß'] = 's', ['æ'] = 'a', ['œ'] = 'o',
    };

    private static readonly Dictionary<char, char> Leet = new()
    {
        ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['7'] = 't', ['8'] = 'b', ['9'] = 'g',
        ['@'] = 'a', ['$'] = 's', ['!'] = 'i', ['|'] = 'l', ['+'] = 't', ['€'] = 'e', ['£'] = 'l', ['¡'] = 'i',
    };

    /// <summary>
    /// The normalised token sequences to match: the plain reading (digits kept, so "3 cats" stays), the
    /// leetspeak reading (digits and symbols in words that also have letters become letters, "k1ll" →
    /// "kill", "57r1p" → "strip"), and for each, stretched letters read as one ("toooopless" → "topless")
    /// as well as two ("kiiiill" → "kiill", which inflection matching reads as "kill").
    /// </summary>
    public static IReadOnlyList<string[]> Readings(string text)
    {
        string cleaned = Clean(text);
        var readings = new List<string[]>();
        foreach (bool leet in (bool[])[false, true])
            foreach (bool squeezeToOne in (bool[])[false, true])
            {
                string[] tokens = Tokenize(cleaned, leet, squeezeToOne);
                if (!readings.Any(r => r.SequenceEqual(tokens))) readings.Add(tokens);
            }
        return readings;
    }

    /// <summary>The text with every non-letter removed (catches words split by anything: "c.h.i.l.d p-o-r-n").</summary>
    public static string Compact(string text)
    {
        var builder = new StringBuilder();
        foreach (char ch in LeetLetters(Clean(text))) if (ch is >= 'a' and <= 'z') builder.Append(ch);
        return builder.ToString();
    }

    /// <summary>NFKC, invisible characters dropped, look-alikes and accents folded, lower case.</summary>
    internal static string Clean(string text)
    {
        string compatible = text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(compatible.Length);
        foreach (char raw in compatible.Normalize(NormalizationForm.FormD))
        {
            UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(raw);
            if (category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark) continue;
            if (category == UnicodeCategory.Control) { builder.Append(' '); continue; }
            char lower = char.ToLowerInvariant(raw);
            builder.Append(Homoglyphs.TryGetValue(lower, out char mapped) ? mapped : lower);
        }
        return builder.ToString();
    }

    private static string LeetLetters(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (Leet.TryGetValue(chars[i], out char letter)) chars[i] = letter;
        return new string(chars);
    }

    private static string[] Tokenize(string cleaned, bool leet, bool squeezeToOne)
    {
        string text = leet
            ? string.Join(' ', cleaned.Split(' ').Select(word => word.Any(char.IsLetter) ? LeetLetters(word) : word))
            : cleaned;

        // Punctuation between two letters is a splitter ("n.u.d.e", "ki-ll"): drop it. Apostrophes too ("child's" → "childs").
        var joined = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            bool between = i > 0 && i + 1 < text.Length && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1]);
            if (between && (char.IsPunctuation(ch) || char.IsSymbol(ch))) continue;
            joined.Append(char.IsLetterOrDigit(ch) ? ch : ' ');
        }

        var tokens = joined.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => Squeeze(t, squeezeToOne ? 1 : 2)).ToList();
        return JoinSpelledOut(tokens);
    }

    /// <summary>Runs of three or more of one letter become <paramref name="keep"/> of it; shorter runs stay.</summary>
    private static string Squeeze(string token, int keep)
    {
        var builder = new StringBuilder(token.Length);
        int i = 0;
        while (i < token.Length)
        {
            int j = i;
            while (j < token.Length && token[j] == token[i]) j++;
            builder.Append(token[i], j - i >= 3 ? keep : j - i);
            i = j;
        }
        return builder.ToString();
    }

    /// <summary>Runs of three or more one-letter tokens are a spelled-out word ("k i l l" → "kill").</summary>
    private static string[] JoinSpelledOut(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        int i = 0;
        while (i < tokens.Count)
        {
            int j = i;
            while (j < tokens.Count && tokens[j].Length == 1 && char.IsLetter(tokens[j][0])) j++;
            if (j - i >= 3)
            {
                // A leading "a" or "i" is more likely the article or pronoun than the word's first letter.
                if (j - i >= 4 && tokens[i] is "a" or "i") result.Add(tokens[i++]);
                result.Add(string.Concat(tokens.Skip(i).Take(j - i)));
                i = j;
            }
            else
            {
                result.Add(tokens[i]);
                i++;
            }
        }
        return [.. result];
    }
}
