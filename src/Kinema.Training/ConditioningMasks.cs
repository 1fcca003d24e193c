namespace Kinema.Training;

/// <summary>Which latent frames a training sample gets clean, so one model learns every conditioned task.</summary>
public enum ConditioningKind
{
    /// <summary>Plain text-to-video: nothing given.</summary>
    None,
    /// <summary>Image-to-video: the first latent frame.</summary>
    FirstFrame,
    /// <summary>Ends on an image: the last latent frame.</summary>
    LastFrame,
    /// <summary>Forward extension: a leading span.</summary>
    LeadingSpan,
    /// <summary>Backward extension: a trailing span.</summary>
    TrailingSpan,
    /// <summary>Connecting two clips, loops, first+last images: both ends.</summary>
    BothEnds,
}

/// <summary>Draws a conditioning mask per sample; plain text-to-video stays the most frequent case.</summary>
public static class ConditioningMasks
{
    private static readonly (ConditioningKind Kind, double Weight)[] Mixture =
    [
        (ConditioningKind.None, 0.5), (ConditioningKind.FirstFrame, 0.15), (ConditioningKind.LastFrame, 0.05),
        (ConditioningKind.LeadingSpan, 0.12), (ConditioningKind.TrailingSpan, 0.08), (ConditioningKind.BothEnds, 0.10),
    ];

    public static ConditioningKind SampleKind(Random random)
    {
        double u = random.NextDouble() * Mixture.Sum(m => m.Weight);
        foreach (var (kind, weight) in Mixture)
        {
            if (u < weight) return kind;
            u -= weight;
        }
        return ConditioningKind.None;
    }

    /// <summary>Known (clean) latent frames for <paramref name="latentFrames"/>; always leaves at least one frame to learn.</summary>
    public static bool[] Build(ConditioningKind kind, int latentFrames, Random random)
    {
        var known = new bool[latentFrames];
        if (latentFrames < 2) return known;
        int Span() => random.Next(1, latentFrames);                              // 1 .. T-1
        switch (kind)
        {
            case ConditioningKind.FirstFrame: known[0] = true; break;
            case ConditioningKind.LastFrame: known[^1] = true; break;
            case ConditioningKind.LeadingSpan: for (int i = 0, n = Span(); i < n; i++) known[i] = true; break;
            case ConditioningKind.TrailingSpan: for (int i = 0, n = Span(); i < n; i++) known[^(i + 1)] = true; break;
            case ConditioningKind.BothEnds:
                if (latentFrames < 3) { known[0] = true; break; }
                int lead = random.Next(1, latentFrames - 1), trail = random.Next(1, latentFrames - lead);
                for (int i = 0; i < lead; i++) known[i] = true;
                for (int i = 0; i < trail; i++) known[^(i + 1)] = true;
                break;
        }
        return known;
    }
}
