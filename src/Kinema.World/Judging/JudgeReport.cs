using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinema.World;

/// <summary>Scores in [0, 100] for each criterion and their weighted mean, <see cref="Overall"/>.</summary>
public sealed record JudgeReport(
    [property: JsonPropertyName("overall")] double Overall,
    [property: JsonPropertyName("criteria")] IReadOnlyDictionary<string, double> Criteria,
    [property: JsonPropertyName("weights")] IReadOnlyDictionary<string, double> Weights,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("fps")] double Fps)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
