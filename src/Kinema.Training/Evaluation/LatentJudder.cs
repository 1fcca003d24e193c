using Kinema.Media;

namespace Kinema.Training.Evaluation;

/// <summary>
/// How much a video jumps where one latent frame hands over to the next, against how much it changes inside latent
/// frames. With a causal VAE of temporal compression c, latent frame 0 is pixel frame 0 and latent frame j covers
/// pixel frames c·(j − 1) + 1 … c·j, so the hand-overs are the changes from frame c·j to c·j + 1. Rendered toy-world
/// motion is even (about 1); a decoder that draws a latent's frames alike and jumps at the next one scores well above.
/// </summary>
public static class LatentJudder
{
    /// <returns>Mean absolute change (0-255) across hand-overs over the mean change inside latent frames.</returns>
    public static double Ratio(IReadOnlyList<RgbFrame> frames, int temporalCompression)
    {
        var (across, inside) = MeanChanges(frames, temporalCompression);
        return across / Math.Max(inside, 1e-9);
    }

    /// <returns>Mean absolute change (0-255) across hand-overs, and inside latent frames.</returns>
    public static (double Across, double Inside) MeanChanges(IReadOnlyList<RgbFrame> frames, int temporalCompression)
        => Means(ChangesByPlace(frames, temporalCompression));

    /// <summary>
    /// The step rhythm: the mean change at each place in a latent frame over the mean change of the whole clip. Place 0
    /// is the hand-over into a latent frame, place k the change from its k-th frame to the next. The judder ratio
    /// compares place 0 with the mean of the others, so it misses a rhythm such as 1.1, 1.4, 0.5, 0.9, which puts two big
    /// steps in every latent frame; the seams of extensions and loops land on such a step (docs/training.md, session 22).
    /// </summary>
    /// <returns>One ratio per place, c in all; rendered toy-world motion is near 1 at every place.</returns>
    public static double[] StepRhythm(IReadOnlyList<RgbFrame> frames, int temporalCompression)
        => Rhythm(ChangesByPlace(frames, temporalCompression));

    /// <summary>The judder <see cref="Ratio"/> and the <see cref="StepRhythm"/> from one pass over the frames.</summary>
    public static (double Ratio, double[] Rhythm) RatioAndRhythm(IReadOnlyList<RgbFrame> frames, int temporalCompression)
    {
        var changes = ChangesByPlace(frames, temporalCompression);
        var (across, inside) = Means(changes);
        return (across / Math.Max(inside, 1e-9), Rhythm(changes));
    }

    private static (double Across, double Inside) Means((double[] Sums, int[] Counts) changes)
        => (changes.Sums[0] / changes.Counts[0], changes.Sums.Skip(1).Sum() / changes.Counts.Skip(1).Sum());

    private static double[] Rhythm((double[] Sums, int[] Counts) changes)
    {
        var (sums, counts) = changes;
        double mean = Math.Max(sums.Sum() / counts.Sum(), 1e-9);
        return sums.Select((sum, place) => sum / counts[place] / mean).ToArray();
    }

    /// <summary>The summed change between neighbouring frames, and how many, at each place in a latent frame (0 = the hand-over).</summary>
    private static (double[] Sums, int[] Counts) ChangesByPlace(IReadOnlyList<RgbFrame> frames, int temporalCompression)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (temporalCompression < 2) throw new ArgumentOutOfRangeException(nameof(temporalCompression), "a latent frame must cover at least two pixel frames");
        if (!Measurable(frames.Count, temporalCompression))
            throw new ArgumentException($"{frames.Count} frames hold no change inside a latent frame next to a hand-over; at least {temporalCompression + 1} are needed");
        var sums = new double[temporalCompression];
        var counts = new int[temporalCompression];
        for (int i = 1; i < frames.Count; i++)
        {
            sums[(i - 1) % temporalCompression] += frames[i - 1].MeanAbsoluteDifference(frames[i]);
            counts[(i - 1) % temporalCompression]++;
        }
        return (sums, counts);
    }

    /// <summary>
    /// Whether a clip of <paramref name="frames"/> holds a hand-over and a change inside a latent frame: frame 0 alone,
    /// then all c frames of latent frame 1.
    /// </summary>
    public static bool Measurable(int frames, int temporalCompression) => frames >= temporalCompression + 1;
}
