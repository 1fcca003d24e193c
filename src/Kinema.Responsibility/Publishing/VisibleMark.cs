using Kinema.Media;

namespace Kinema.Responsibility.Publishing;

/// <summary>
/// Stamps "AI-GENERATED" in a small built-in 5x7 pixel font on a darkened box in the bottom-right
/// corner, scaled with the frame so it stays legible after resizing. No font library needed.
/// </summary>
public static class VisibleMark
{
    public const string Text = "AI-GENERATED";

    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['A'] = [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        ['I'] = ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"],
        ['-'] = [".....", ".....", ".....", "#####", ".....", ".....", "....."],
        ['G'] = [".####", "#....", "#....", "#.###", "#...#", "#...#", ".###."],
        ['E'] = ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        ['N'] = ["#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"],
        ['R'] = ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        ['T'] = ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        ['D'] = ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
    };

    public static IEnumerable<RgbFrame> Apply(IEnumerable<RgbFrame> frames)
    {
        foreach (RgbFrame frame in frames) yield return Stamp(frame);
    }

    public static RgbFrame Stamp(RgbFrame frame)
    {
        var output = frame.Clone();
        int textWidth = Text.Length * 6 - 1;
        // Scale so the label spans about a third of the width, at least one pixel per font pixel.
        int scale = Math.Max(1, frame.Width / 3 / textWidth);
        int boxWidth = (textWidth + 4) * scale, boxHeight = 11 * scale;
        if (boxWidth > frame.Width || boxHeight > frame.Height) return output;
        int left = frame.Width - boxWidth - scale, top = frame.Height - boxHeight - scale;
        for (int y = top; y < top + boxHeight; y++)
            for (int x = left; x < left + boxWidth; x++)
            {
                var (r, g, b) = output.GetPixel(x, y);
                output.SetPixel(x, y, (byte)(r / 3), (byte)(g / 3), (byte)(b / 3));
            }
        for (int c = 0; c < Text.Length; c++)
        {
            string[] glyph = Glyphs[Text[c]];
            for (int gy = 0; gy < 7; gy++)
                for (int gx = 0; gx < 5; gx++)
                {
                    if (glyph[gy][gx] != '#') continue;
                    for (int sy = 0; sy < scale; sy++)
                        for (int sx = 0; sx < scale; sx++)
                            output.SetPixel(left + (2 + c * 6 + gx) * scale + sx, top + (2 + gy) * scale + sy, 255, 255, 255);
                }
        }
        return output;
    }
}
