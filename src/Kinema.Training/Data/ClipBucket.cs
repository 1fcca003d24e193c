namespace Kinema.Training.Data;

/// <summary>
/// One training shape: clips in a batch share size and length, batches differ. Sora trains on native
/// sizes and durations rather than crops; buckets are how a fixed-shape batch gets that variety.
/// </summary>
public sealed record ClipBucket(int Width, int Height, int Frames, int BatchSize)
{
    public override string ToString() => $"{Width}x{Height}x{Frames}";

    /// <summary>Parses "128x128x17:4,96x160x9:4" (width x height x frames : batch size).</summary>
    public static IReadOnlyList<ClipBucket> ParseList(string text)
    {
        var buckets = new List<ClipBucket>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (shape, batch) = item.Split(':') is [var s, var b] ? (s, b) : throw new ArgumentException($"bucket '{item}' must look like WxHxF:BATCH");
            var parts = shape.Split('x');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int w) || !int.TryParse(parts[1], out int h) || !int.TryParse(parts[2], out int f) || !int.TryParse(batch, out int n))
                throw new ArgumentException($"bucket '{item}' must look like WxHxF:BATCH with integers");
            if (w < 64 || h < 64 || w % 16 != 0 || h % 16 != 0) throw new ArgumentException($"bucket '{item}': width and height must be multiples of 16 and at least 64");
            if (f < 1 || (f - 1) % 4 != 0) throw new ArgumentException($"bucket '{item}': frames must be 1 + 4k");
            if (n < 1) throw new ArgumentException($"bucket '{item}': batch size must be >= 1");
            buckets.Add(new ClipBucket(w, h, f, n));
        }
        if (buckets.Count == 0) throw new ArgumentException("at least one bucket is needed");
        return buckets;
    }

    public static string Format(IEnumerable<ClipBucket> buckets) => string.Join(",", buckets.Select(b => $"{b}:{b.BatchSize}"));
}
