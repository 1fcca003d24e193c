using System.Globalization;
using Kinema.Media;

namespace Kinema.Training.Logging;

/// <summary>
/// Draws the training log as a PNG: loss (log scale, blue) and judge score (0-100, orange) against step,
/// with axis labels from a built-in 5x7 pixel font, so no plotting package or font file is needed.
/// </summary>
public static class LossPlot
{
    private const int Width = 720, Height = 400, Left = 60, Right = 60, Top = 30, Bottom = 40;

    public static void Write(string path, IReadOnlyList<LogRow> rows)
    {
        var frame = new RgbFrame(Width, Height);
        Array.Fill(frame.Pixels, (byte)255);
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        DrawRect(frame, Left, Top, plotW, plotH, (200, 200, 200));
        Text(frame, "step", Left + plotW / 2 - 10, Height - 14, (0, 0, 0));
        Text(frame, "loss", 6, Top - 20, (30, 90, 200));
        Text(frame, "score", Width - 50, Top - 20, (220, 120, 20));
        if (rows.Count == 0) { ImageFile.WritePng(path, frame); return; }

        long maxStep = Math.Max(1, rows.Max(r => r.Step)), minStep = rows.Min(r => r.Step);
        var losses = rows.Where(r => r.Loss > 0 && double.IsFinite(r.Loss)).ToList();
        double lo = losses.Count > 0 ? Math.Log10(losses.Min(r => r.Loss)) : -1, hi = losses.Count > 0 ? Math.Log10(losses.Max(r => r.Loss)) : 0;
        if (hi - lo < 1e-6) { hi += 0.5; lo -= 0.5; }
        int X(long step) => Left + (int)((step - minStep) * (plotW - 1) / (double)Math.Max(1, maxStep - minStep));
        int YLoss(double loss) => Top + plotH - 1 - (int)((Math.Log10(loss) - lo) / (hi - lo) * (plotH - 1));
        int YScore(double score) => Top + plotH - 1 - (int)(Math.Clamp(score, 0, 100) / 100 * (plotH - 1));

        for (int i = 1; i < losses.Count; i++)
            Line(frame, X(losses[i - 1].Step), YLoss(losses[i - 1].Loss), X(losses[i].Step), YLoss(losses[i].Loss), (30, 90, 200));
        var scores = rows.Where(r => r.Score is not null).ToList();
        for (int i = 0; i < scores.Count; i++)
        {
            int x = X(scores[i].Step), y = YScore(scores[i].Score!.Value);
            DrawRect(frame, x - 2, y - 2, 5, 5, (220, 120, 20));
            if (i > 0) Line(frame, X(scores[i - 1].Step), YScore(scores[i - 1].Score!.Value), x, y, (220, 120, 20));
        }
        Text(frame, Format(Math.Pow(10, hi)), 4, Top, (30, 90, 200));
        Text(frame, Format(Math.Pow(10, lo)), 4, Top + plotH - 8, (30, 90, 200));
        Text(frame, "100", Width - Right + 6, Top, (220, 120, 20));
        Text(frame, "0", Width - Right + 6, Top + plotH - 8, (220, 120, 20));
        Text(frame, minStep.ToString(CultureInfo.InvariantCulture), Left, Top + plotH + 6, (0, 0, 0));
        string last = maxStep.ToString(CultureInfo.InvariantCulture);
        Text(frame, last, Left + plotW - last.Length * 6, Top + plotH + 6, (0, 0, 0));
        ImageFile.WritePng(path, frame);
    }

    private static string Format(double v) => v.ToString(v >= 0.01 ? "0.###" : "0.0e0", CultureInfo.InvariantCulture);

    private static void Set(RgbFrame f, int x, int y, (byte R, byte G, byte B) c)
    {
        if (x < 0 || y < 0 || x >= f.Width || y >= f.Height) return;
        f.SetPixel(x, y, c.R, c.G, c.B);
    }

    private static void DrawRect(RgbFrame f, int x, int y, int w, int h, (byte, byte, byte) c)
    {
        for (int i = 0; i < w; i++) { Set(f, x + i, y, c); Set(f, x + i, y + h - 1, c); }
        for (int j = 0; j < h; j++) { Set(f, x, y + j, c); Set(f, x + w - 1, y + j, c); }
    }

    private static void Line(RgbFrame f, int x0, int y0, int x1, int y1, (byte, byte, byte) c)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
        while (true)
        {
            Set(f, x0, y0, c); Set(f, x0, y0 + 1, c);
            if (x0 == x1 && y0 == y1) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    private static void Text(RgbFrame f, string text, int x, int y, (byte, byte, byte) c)
    {
        foreach (char ch in text)
        {
            if (Glyphs.TryGetValue(char.ToLowerInvariant(ch), out var rows))
                for (int r = 0; r < 7; r++)
                    for (int col = 0; col < 5; col++)
                        if ((rows[r] >> (4 - col) & 1) == 1) Set(f, x + col, y + r, c);
            x += 6;
        }
    }

    // 5x7 glyphs, one byte per row, high bit on the left.
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [14, 17, 19, 21, 25, 17, 14], ['1'] = [4, 12, 4, 4, 4, 4, 14], ['2'] = [14, 17, 1, 2, 4, 8, 31],
        ['3'] = [31, 2, 4, 2, 1, 17, 14], ['4'] = [2, 6, 10, 18, 31, 2, 2], ['5'] = [31, 16, 30, 1, 1, 17, 14],
        ['6'] = [6, 8, 16, 30, 17, 17, 14], ['7'] = [31, 1, 2, 4, 8, 8, 8], ['8'] = [14, 17, 17, 14, 17, 17, 14],
        ['9'] = [14, 17, 17, 15, 1, 2, 12], ['.'] = [0, 0, 0, 0, 0, 12, 12], ['-'] = [0, 0, 0, 31, 0, 0, 0],
        ['e'] = [0, 0, 14, 17, 31, 16, 14], ['l'] = [12, 4, 4, 4, 4, 4, 14], ['o'] = [0, 0, 14, 17, 17, 17, 14],
        ['s'] = [0, 0, 15, 16, 14, 1, 30], ['c'] = [0, 0, 14, 16, 16, 17, 14], ['r'] = [0, 0, 22, 25, 16, 16, 16],
        ['t'] = [8, 8, 28, 8, 8, 9, 6], ['p'] = [0, 0, 30, 17, 30, 16, 16],
    };
}
