using Kinema.Media;

namespace Kinema.Pipelines;

/// <summary>
/// Hides the seam where generated frames meet frames the user gave (an extended clip, the two clips a
/// transition connects, a loop's first frame). Generated frames are VAE decodes, while the frames they meet
/// are the original pixels, so the decoder's own error (faded colour, softened edges) would show as a jump
/// even when the motion is continuous. The sampler's output holds a decode of the given frame at the seam
/// too; the difference between the given frame and that decode is the decoder's error there, and adding it
/// to the generated frames, fully at the seam and fading with distance, makes both sides meet.
/// </summary>
public static class SeamCorrection
{
    /// <summary>The decoder's error at a seam: <paramref name="given"/> minus <paramref name="decodedGiven"/>, per channel value.</summary>
    public static float[] Residual(RgbFrame given, RgbFrame decodedGiven)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(decodedGiven);
        if (given.Width != decodedGiven.Width || given.Height != decodedGiven.Height)
            throw new ArgumentException($"frames differ in size: {given.Width}x{given.Height} and {decodedGiven.Width}x{decodedGiven.Height}");
        var residual = new float[given.Pixels.Length];
        for (int i = 0; i < residual.Length; i++) residual[i] = given.Pixels[i] - decodedGiven.Pixels[i];
        return residual;
    }

    /// <summary>Two latent frames: long enough to hide the correction, short enough that the given frame's detail does not trail moving objects.</summary>
    public static int FadeFrames(int temporalCompression) => 2 * temporalCompression;

    /// <summary>
    /// Adds the residuals to <paramref name="generated"/>, a run of frames with a seam before its first frame
    /// (<paramref name="before"/>) and/or after its last (<paramref name="after"/>). Each correction is full at
    /// its seam and fades linearly to nothing over <paramref name="fadeFrames"/> frames, so detail that belonged
    /// to the given frame does not linger where objects have moved on. A run too short for that fades each
    /// correction over the whole run instead, which interpolates between the two seams.
    /// </summary>
    public static List<RgbFrame> Apply(IReadOnlyList<RgbFrame> generated, float[]? before, float[]? after, int fadeFrames)
    {
        ArgumentNullException.ThrowIfNull(generated);
        if (fadeFrames < 1) throw new ArgumentOutOfRangeException(nameof(fadeFrames), "fade must cover at least one frame");
        int n = generated.Count;
        double fade = before is not null && after is not null ? Math.Min(fadeFrames, n - 1) : fadeFrames;
        var result = new List<RgbFrame>(n);
        for (int j = 0; j < n; j++)
        {
            // A single frame between two seams takes half of each.
            double wBefore = before is null ? 0 : fade == 0 ? 0.5 : Math.Max(0, 1 - j / fade);
            double wAfter = after is null ? 0 : fade == 0 ? 0.5 : Math.Max(0, 1 - (n - 1 - j) / fade);
            result.Add(Corrected(generated[j], before, wBefore, after, wAfter));
        }
        return result;
    }

    private static RgbFrame Corrected(RgbFrame frame, float[]? before, double wBefore, float[]? after, double wAfter)
    {
        if (wBefore == 0 && wAfter == 0) return frame;
        var source = frame.Pixels;
        if ((before is not null && before.Length != source.Length) || (after is not null && after.Length != source.Length))
            throw new ArgumentException("a residual does not match the frame size");
        var pixels = new byte[source.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            double value = source[i];
            if (wBefore > 0) value += wBefore * before![i];
            if (wAfter > 0) value += wAfter * after![i];
            pixels[i] = (byte)Math.Clamp(Math.Round(value), 0, 255);
        }
        return new RgbFrame(frame.Width, frame.Height, pixels);
    }
}
