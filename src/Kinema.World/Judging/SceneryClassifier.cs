using Kinema.Media;

namespace Kinema.World;

/// <summary>
/// Recognises background, time of day and weather by comparing the video with reference renders of
/// the scenery of every combination (7 x 3 x 4), each made with the requested camera and seed. Features
/// are a coarse grid of per-cell median colours (medians over time ignore passing objects; the grid
/// distance ignores the worst cells, where objects sit) plus the amount of fine detail and of change
/// between frames, which separate rain, snow and fog and put noise far from every reference.
/// </summary>
internal static class SceneryClassifier
{
    private const int Grid = 8;
    private const int SampledFrames = 4;

    public sealed record Result(double Background, double TimeOfDay, double Weather, double BestDistance);

    public static Result Classify(IReadOnlyList<RgbFrame> frames, double fps, Scene requested)
    {
        int[] sampled = PixelMath.SpreadIndices(frames.Count, SampledFrames);
        int width = frames[0].Width, height = frames[0].Height;
        var observed = Describe(sampled.Select(i => frames[i]).ToArray());
        var combos = new List<(Background B, TimeOfDay T, Weather W, double Distance)>();
        foreach (var background in Enum.GetValues<Background>())
        {
            foreach (var time in Enum.GetValues<TimeOfDay>())
            {
                foreach (var weather in Enum.GetValues<Weather>())
                {
                    var scenery = requested with { Background = background, TimeOfDay = time, Weather = weather };
                    var reference = RenderAt(scenery, width, height, fps, sampled);
                    combos.Add((background, time, weather, Distance(observed, Describe(reference))));
                }
            }
        }
        double best = combos.Min(c => c.Distance);
        // Temperature and gate in the distance's units (roughly colour levels): a clean match sits near 0-3,
        // other sceneries 5 to 15 and more apart, noise 60 and more from everything.
        const double temperature = 1.5;
        var weights = combos.Select(c => Math.Exp(-(c.Distance - best) / temperature)).ToArray();
        double total = weights.Sum();
        double gate = Math.Exp(-Math.Max(0, best - 12) / 10);
        double Mass(Func<(Background B, TimeOfDay T, Weather W, double Distance), bool> matches) =>
            gate * combos.Select((c, i) => matches(c) ? weights[i] : 0).Sum() / total;
        return new Result(
            Mass(c => c.B == requested.Background),
            Mass(c => c.T == requested.TimeOfDay),
            Mass(c => c.W == requested.Weather),
            best);
    }

    private static RgbFrame[] RenderAt(Scene scenery, int width, int height, double fps, int[] sampled)
    {
        // Render only as many frames as needed to reach the last sampled one, then keep the sampled ones.
        var all = SceneRenderer.RenderUnchecked(scenery, width, height, fps, sampled[^1] + 1, drawObjects: true, parallelism: 1);
        return sampled.Select(i => all[i]).ToArray();
    }

    private sealed record Features(double[] Cells, double Detail, double Change);

    private static Features Describe(RgbFrame[] frames)
    {
        int width = frames[0].Width, height = frames[0].Height;
        var cells = new double[Grid * Grid * 3];
        var perFrame = new double[frames.Length][];
        for (int f = 0; f < frames.Length; f++)
        {
            var sums = new double[Grid * Grid * 3];
            var counts = new int[Grid * Grid];
            var p = frames[f].Pixels;
            for (int y = 0; y < height; y++)
            {
                int cy = y * Grid / height;
                for (int x = 0; x < width; x++)
                {
                    int cell = cy * Grid + x * Grid / width, o = (y * width + x) * 3;
                    sums[cell * 3] += p[o];
                    sums[cell * 3 + 1] += p[o + 1];
                    sums[cell * 3 + 2] += p[o + 2];
                    counts[cell]++;
                }
            }
            for (int c = 0; c < sums.Length; c++) sums[c] /= Math.Max(1, counts[c / 3]);
            perFrame[f] = sums;
        }
        for (int c = 0; c < cells.Length; c++) cells[c] = PixelMath.Median(perFrame.Select(v => v[c]));
        var lumas = frames.Select(PixelMath.Luma).ToArray();
        double detail = lumas.Average(l => PixelMath.FineDetail(l, width, height));
        double change = 0;
        for (int f = 1; f < lumas.Length; f++)
        {
            double sum = 0;
            for (int i = 0; i < lumas[f].Length; i++) sum += Math.Abs(lumas[f][i] - lumas[f - 1][i]);
            change += sum / lumas[f].Length;
        }
        change /= Math.Max(1, lumas.Length - 1);
        return new Features(cells, detail, change);
    }

    private static double Distance(Features a, Features b)
    {
        var cellDistances = new double[Grid * Grid];
        for (int c = 0; c < cellDistances.Length; c++)
        {
            double dr = a.Cells[c * 3] - b.Cells[c * 3], dg = a.Cells[c * 3 + 1] - b.Cells[c * 3 + 1], db = a.Cells[c * 3 + 2] - b.Cells[c * 3 + 2];
            cellDistances[c] = Math.Sqrt(dr * dr + dg * dg + db * db);
        }
        Array.Sort(cellDistances);
        // Objects of a video need not be where the reference has them: skip the worst quarter of cells.
        double grid = cellDistances.Take(cellDistances.Length * 3 / 4).Average();
        return grid + 2 * Math.Abs(a.Detail - b.Detail) + 0.5 * Math.Abs(a.Change - b.Change);
    }
}
