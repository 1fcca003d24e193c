using Kinema.Media;

namespace Kinema.World;

/// <summary>
/// Estimates how the view moved between the first and later frames: the shift and zoom that best map
/// the first frame onto each later one, searched exhaustively on small grey images. Objects move on
/// their own but cover little of the frame, so the scenery decides.
/// </summary>
internal static class CameraEstimator
{
    private const int Side = 48;
    private const int MaxShift = 9;
    private static readonly double[] Zooms = [0.78, 0.84, 0.9, 0.95, 1.0, 1.05, 1.11, 1.18, 1.26];

    /// <summary>Shift per frame pair in fractions of the frame's short side, log zoom, and the mean grey error of the best fit.</summary>
    public sealed record Motion(double[] ShiftX, double[] ShiftY, double[] LogZoom, double Error);

    public static Motion Estimate(IReadOnlyList<RgbFrame> frames)
    {
        int[] targets = PixelMath.SpreadIndices(frames.Count, 3).Where(i => i > 0).ToArray();
        if (targets.Length == 0) targets = [0];
        var (first, w, h) = Small(frames[0]);
        var shiftX = new double[targets.Length];
        var shiftY = new double[targets.Length];
        var logZoom = new double[targets.Length];
        double error = 0;
        for (int k = 0; k < targets.Length; k++)
        {
            var (later, _, _) = Small(frames[targets[k]]);
            double best = double.MaxValue;
            foreach (double zoom in Zooms)
            {
                for (int dy = -MaxShift; dy <= MaxShift; dy++)
                {
                    for (int dx = -MaxShift; dx <= MaxShift; dx++)
                    {
                        double e = Mismatch(first, later, w, h, dx, dy, zoom);
                        if (e < best)
                        {
                            best = e;
                            shiftX[k] = dx / (double)Math.Min(w, h);
                            shiftY[k] = dy / (double)Math.Min(w, h);
                            logZoom[k] = Math.Log(zoom);
                        }
                    }
                }
            }
            error += best / targets.Length;
        }
        return new Motion(shiftX, shiftY, logZoom, error);
    }

    private static (float[] Luma, int Width, int Height) Small(RgbFrame frame)
    {
        double scale = Side / (double)Math.Max(frame.Width, frame.Height);
        int w = Math.Max(8, (int)Math.Round(frame.Width * scale)), h = Math.Max(8, (int)Math.Round(frame.Height * scale));
        var luma = new float[w * h];
        var counts = new int[w * h];
        var p = frame.Pixels;
        for (int y = 0; y < frame.Height; y++)
        {
            int ty = Math.Min(h - 1, y * h / frame.Height);
            for (int x = 0; x < frame.Width; x++)
            {
                int t = ty * w + Math.Min(w - 1, x * w / frame.Width), o = (y * frame.Width + x) * 3;
                luma[t] += 0.299f * p[o] + 0.587f * p[o + 1] + 0.114f * p[o + 2];
                counts[t]++;
            }
        }
        for (int i = 0; i < luma.Length; i++) luma[i] /= Math.Max(1, counts[i]);
        return (luma, w, h);
    }

    /// <summary>
    /// Mean absolute grey difference between the later frame and the first frame seen through a camera
    /// that moved by (dx, dy) pixels and zoomed by <paramref name="zoom"/> about the centre. Scenery
    /// moves opposite to the camera, so a pan right shows up as positive dx.
    /// </summary>
    private static double Mismatch(float[] first, float[] later, int w, int h, int dx, int dy, double zoom)
    {
        double sum = 0;
        int count = 0;
        double cx = w * 0.5, cy = h * 0.5;
        int margin = 2;
        for (int y = margin; y < h - margin; y++)
        {
            double sy = (y + 0.5 - cy) / zoom + cy + dy - 0.5;
            int iy = (int)Math.Floor(sy);
            if (iy < 0 || iy >= h - 1) continue;
            float fy = (float)(sy - iy);
            for (int x = margin; x < w - margin; x++)
            {
                double sx = (x + 0.5 - cx) / zoom + cx + dx - 0.5;
                int ix = (int)Math.Floor(sx);
                if (ix < 0 || ix >= w - 1) continue;
                float fx = (float)(sx - ix);
                int i = iy * w + ix;
                float top = first[i] + (first[i + 1] - first[i]) * fx;
                float bottom = first[i + w] + (first[i + w + 1] - first[i + w]) * fx;
                sum += Math.Abs(later[y * w + x] - (top + (bottom - top) * fy));
                count++;
            }
        }
        // Require a decent overlap so large shifts cannot win by comparing a sliver.
        if (count < (w - 2 * margin) * (h - 2 * margin) / 2) return double.MaxValue;
        return sum / count;
    }
}
