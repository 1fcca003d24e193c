using System.Globalization;

namespace Kinema.Media.Internal;

/// <summary>Converts between a double frame rate and the rational strings ffmpeg uses.</summary>
internal static class FrameRate
{
    /// <summary>
    /// "24", "30000/1001" for NTSC-style rates, otherwise a fraction with denominator 1000, so ffmpeg
    /// gets an exact rate instead of a rounded decimal.
    /// </summary>
    public static string ToRational(double fps)
    {
        double rounded = Math.Round(fps);
        if (Math.Abs(fps - rounded) < 1e-9) return ((long)rounded).ToString(CultureInfo.InvariantCulture);
        double ntsc = fps * 1001 / 1000;
        // Loose enough that the usual spellings 23.976 and 29.97 count as 24000/1001 and 30000/1001.
        if (Math.Abs(ntsc - Math.Round(ntsc)) < 1e-4)
            return string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Round(ntsc) * 1000}/1001");
        long numerator = (long)Math.Round(fps * 1000);
        long divisor = Gcd(numerator, 1000);
        return string.Create(CultureInfo.InvariantCulture, $"{numerator / divisor}/{1000 / divisor}");
    }

    /// <summary>Parses "num/den" or a decimal; null for "0/0" or anything unusable.</summary>
    public static double? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        int slash = text.IndexOf('/');
        if (slash < 0)
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain) && plain > 0 ? plain : null;
        if (!double.TryParse(text[..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out double num)) return null;
        if (!double.TryParse(text[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double den)) return null;
        return num > 0 && den > 0 ? num / den : null;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return Math.Abs(a);
    }
}
