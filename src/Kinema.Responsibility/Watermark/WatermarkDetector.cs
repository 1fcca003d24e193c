using Kinema.Media;

namespace Kinema.Responsibility.Watermark;

/// <summary>
/// Finds the watermark in decoded frames with nothing but the key. For each candidate scale (the
/// video may have been downscaled), frames are resampled back to the embedding scale, their content
/// is suppressed with a local-mean high-pass weighted by local busyness, and the residual is folded modulo the 96-pixel tile and
/// summed over frames. Folding turns any crop into a cyclic shift of the tile, so every shift is
/// scored against the key's sync cells and the best few are decoded; a payload counts only when its
/// CRC-32 matches.
/// </summary>
public static class WatermarkDetector
{
    /// <summary>Scales tried, as (suspect size / original size): untouched, common downscales, small resizes.</summary>
    public static readonly double[] CandidateScales = [1.0, 0.5, 0.75, 2.0 / 3.0, 0.9, 0.8, 0.6];

    private const int MaxFrames = 48;
    private const int CandidateShifts = 8;
    private const int BlurRadius = 4;
    // About the watermark's own residual energy: regions no busier than the mark keep full weight.
    private const float NoiseFloor = 9f;
    private static readonly double[] Shape = [0.5, 1, 1, 1, 1, 0.5];

    public static WatermarkDetection Detect(IReadOnlyList<RgbFrame> frames, WatermarkKey key, IReadOnlyList<double>? scales = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(key);
        if (frames.Count == 0) throw new ArgumentException("no frames to look for a watermark in", nameof(frames));
        var layout = new WatermarkLayout(key);
        var used = Spread(frames, MaxFrames);
        var lumas = used.Select(Luma).ToList();
        WatermarkDetection best = new(false, null, 0, 1, used.Count);
        foreach (double scale in scales ?? CandidateScales)
        {
            var result = DetectAtScale(lumas, frames[0].Width, frames[0].Height, scale, layout, null);
            if (result is null) continue;
            var detection = result with { FramesUsed = used.Count };
            // A CRC-32 match is conclusive, so the remaining scales need not be tried.
            if (detection.Found) return detection;
            if (detection.SyncScore > best.SyncScore) best = detection;
        }
        return best;
    }

    private static WatermarkDetection? DetectAtScale(List<float[]> lumas, int width, int height, double scale, WatermarkLayout layout, double[]? softAtBestSync)
    {
        int w = (int)Math.Round(width / scale), h = (int)Math.Round(height / scale);
        // Frames smaller than a tile still work: the cells they miss decode as erasures.
        if (w < WatermarkLayout.Tile / 2 || h < WatermarkLayout.Tile / 2) return null;
        const int T = WatermarkLayout.Tile;
        var folded = new double[T * T];
        foreach (float[] luma in lumas)
        {
            float[] resized = scale == 1.0 ? luma : Resize(luma, width, height, w, h);
            float[] residual = HighPass(resized, w, h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    folded[(y % T) * T + x % T] += residual[y * w + x];
        }

        // Matched filter for one cell's trapezoid, evaluated at every cyclic position of the tile.
        var cellResponse = new double[T * T];
        for (int y = 0; y < T; y++)
            for (int x = 0; x < T; x++)
            {
                double sum = 0;
                for (int u = 0; u < WatermarkLayout.Cell; u++)
                    for (int v = 0; v < WatermarkLayout.Cell; v++)
                        sum += Shape[u] * Shape[v] * folded[((y + u) % T) * T + (x + v) % T];
                cellResponse[y * T + x] = sum;
            }

        // Score every shift of the tile against the sync cells.
        var scores = new double[T * T];
        for (int dy = 0; dy < T; dy++)
            for (int dx = 0; dx < T; dx++)
            {
                double score = 0;
                for (int cell = 0; cell < WatermarkLayout.Cells; cell++)
                {
                    if (layout.CodedBitOfCell[cell] >= 0) continue;
                    int cy = cell / WatermarkLayout.CellsPerSide, cx = cell % WatermarkLayout.CellsPerSide;
                    score += layout.Chip[cell] * cellResponse[((dy + cy * WatermarkLayout.Cell) % T) * T + (dx + cx * WatermarkLayout.Cell) % T];
                }
                scores[dy * T + dx] = score;
            }
        double mean = scores.Average();
        double std = Math.Sqrt(scores.Select(s => (s - mean) * (s - mean)).Average());
        if (std <= 0) return new WatermarkDetection(false, null, 0, scale, 0);

        var soft = new double[WatermarkLayout.CodedBits];
        WatermarkDetection? firstTried = null;
        foreach (int shift in Enumerable.Range(0, T * T).OrderByDescending(i => scores[i]).Take(CandidateShifts))
        {
            int dy = shift / T, dx = shift % T;
            for (int cell = 0; cell < WatermarkLayout.Cells; cell++)
            {
                int bit = layout.CodedBitOfCell[cell];
                if (bit < 0) continue;
                int cy = cell / WatermarkLayout.CellsPerSide, cx = cell % WatermarkLayout.CellsPerSide;
                soft[bit] = layout.Chip[cell] * cellResponse[((dy + cy * WatermarkLayout.Cell) % T) * T + (dx + cx * WatermarkLayout.Cell) % T];
            }
            double z = (scores[shift] - mean) / std;
            if (softAtBestSync is not null && firstTried is null) soft.CopyTo(softAtBestSync, 0);
            ulong? payload = WatermarkCodec.Decode(soft);
            if (payload is not null && softAtBestSync is null) return new WatermarkDetection(true, payload, z, scale, 0);
            firstTried ??= new WatermarkDetection(false, null, z, scale, 0);
        }
        return firstTried;
    }

    /// <summary>
    /// Raw coded-bit error rate against a known payload, at the alignment the sync cells pick (at the
    /// scale where they score highest): the channel quality before error correction.
    /// </summary>
    internal static double CodedBitErrorRate(IReadOnlyList<RgbFrame> frames, WatermarkKey key, ulong payload)
    {
        var layout = new WatermarkLayout(key);
        var lumas = Spread(frames, MaxFrames).Select(Luma).ToList();
        (double Z, double[] Soft)? best = null;
        foreach (double scale in CandidateScales)
        {
            var soft = new double[WatermarkLayout.CodedBits];
            var result = DetectAtScale(lumas, frames[0].Width, frames[0].Height, scale, layout, soft);
            if (result is not null && (best is null || result.SyncScore > best.Value.Z)) best = (result.SyncScore, soft);
        }
        bool[] truth = WatermarkCodec.Encode(payload);
        if (best is null) return 0.5;
        return truth.Select((bit, i) => bit != best.Value.Soft[i] > 0).Count(wrong => wrong) / (double)truth.Length;
    }

    private static List<RgbFrame> Spread(IReadOnlyList<RgbFrame> frames, int max)
    {
        if (frames.Count <= max) return [.. frames];
        return [.. Enumerable.Range(0, max).Select(i => frames[(int)((long)i * frames.Count / max)])];
    }

    internal static float[] Luma(RgbFrame frame)
    {
        var luma = new float[frame.Width * frame.Height];
        byte[] p = frame.Pixels;
        for (int i = 0; i < luma.Length; i++) luma[i] = 0.299f * p[3 * i] + 0.587f * p[3 * i + 1] + 0.114f * p[3 * i + 2];
        return luma;
    }

    /// <summary>Bilinear resampling (pixel centres aligned), enough to undo a plain resize.</summary>
    private static float[] Resize(float[] source, int sw, int sh, int dw, int dh)
    {
        var result = new float[dw * dh];
        double fx = (double)sw / dw, fy = (double)sh / dh;
        for (int y = 0; y < dh; y++)
        {
            double sy = Math.Clamp((y + 0.5) * fy - 0.5, 0, sh - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, sh - 1);
            double ay = sy - y0;
            for (int x = 0; x < dw; x++)
            {
                double sx = Math.Clamp((x + 0.5) * fx - 0.5, 0, sw - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, sw - 1);
                double ax = sx - x0;
                double top = source[y0 * sw + x0] * (1 - ax) + source[y0 * sw + x1] * ax;
                double bottom = source[y1 * sw + x0] * (1 - ax) + source[y1 * sw + x1] * ax;
                result[y * dw + x] = (float)(top * (1 - ay) + bottom * ay);
            }
        }
        return result;
    }

    /// <summary>
    /// The image minus its local mean (removes the picture's broad shapes, keeps the cells), divided by
    /// the local residual energy: busy regions, where the picture itself swamps the faint cells, count
    /// for less than flat ones (the locally optimal weighting for noise whose strength varies).
    /// </summary>
    private static float[] HighPass(float[] image, int w, int h)
    {
        float[] mean = BoxBlur(image, w, h, BlurRadius);
        var residual = new float[w * h];
        var energy = new float[w * h];
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = image[i] - mean[i];
            energy[i] = residual[i] * residual[i];
        }
        float[] localEnergy = BoxBlur(energy, w, h, BlurRadius);
        for (int i = 0; i < residual.Length; i++)
            residual[i] *= NoiseFloor / (localEnergy[i] + NoiseFloor);
        return residual;
    }

    private static float[] BoxBlur(float[] image, int w, int h, int radius)
    {
        var horizontal = new float[w * h];
        for (int y = 0; y < h; y++)
        {
            double sum = 0;
            int row = y * w;
            for (int x = -radius; x <= radius; x++) sum += image[row + Math.Clamp(x, 0, w - 1)];
            for (int x = 0; x < w; x++)
            {
                horizontal[row + x] = (float)(sum / (2 * radius + 1));
                sum += image[row + Math.Min(x + radius + 1, w - 1)] - image[row + Math.Max(x - radius, 0)];
            }
        }
        var result = new float[w * h];
        for (int x = 0; x < w; x++)
        {
            double sum = 0;
            for (int y = -radius; y <= radius; y++) sum += horizontal[Math.Clamp(y, 0, h - 1) * w + x];
            for (int y = 0; y < h; y++)
            {
                result[y * w + x] = (float)(sum / (2 * radius + 1));
                sum += horizontal[Math.Min(y + radius + 1, h - 1) * w + x] - horizontal[Math.Max(y - radius, 0) * w + x];
            }
        }
        return result;
    }
}
