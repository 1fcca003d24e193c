using System.Globalization;

namespace Kinema.Server.Jobs;

/// <summary>Durations as the API writes them: a string, whole seconds without a decimal point ("4"), else up to 3 decimals ("1.125").</summary>
public static class SecondsText
{
    public static string Format(double seconds) => Math.Round(seconds, 3).ToString("0.###", CultureInfo.InvariantCulture);
}
