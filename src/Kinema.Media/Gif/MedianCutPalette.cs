namespace Kinema.Media.Gif;

/// <summary>
/// Median-cut colour quantisation: repeatedly split the box of colours with the widest channel range
/// (weighted by how many pixels it holds) at its median, then use each box's mean as a palette entry.
/// </summary>
internal static class MedianCutPalette
{
    public static int[] Build(IReadOnlyList<int> samples, int maxColors)
    {
        if (samples.Count == 0) return [0];
        var counts = new Dictionary<int, int>();
        foreach (int color in samples) counts[color] = counts.TryGetValue(color, out int n) ? n + 1 : 1;
        if (counts.Count <= maxColors) return [.. counts.Keys.Order()];

        var colors = counts.Select(pair => (Color: pair.Key, Count: pair.Value)).ToArray();
        var boxes = new List<Box> { new(colors, 0, colors.Length) };
        while (boxes.Count < maxColors)
        {
            Box? widest = null;
            long bestScore = 0;
            foreach (Box box in boxes)
            {
                if (box.Length < 2) continue;
                long score = (long)box.Range(colors).Extent * box.Weight(colors);
                if (score > bestScore)
                {
                    bestScore = score;
                    widest = box;
                }
            }
            if (widest is null) break;
            boxes.Remove(widest);
            var (low, high) = widest.Split(colors);
            boxes.Add(low);
            boxes.Add(high);
        }
        return [.. boxes.Select(box => box.Mean(colors)).Distinct().Order()];
    }

    private static int Channel(int color, int channel) => (color >> (16 - 8 * channel)) & 0xFF;

    private sealed class Box((int Color, int Count)[] all, int start, int length)
    {
        public int Length => length;

        public long Weight((int Color, int Count)[] colors)
        {
            long sum = 0;
            for (int i = start; i < start + length; i++) sum += colors[i].Count;
            return sum;
        }

        public (int Extent, int Channel) Range((int Color, int Count)[] colors)
        {
            int bestExtent = -1, bestChannel = 0;
            for (int c = 0; c < 3; c++)
            {
                int min = 255, max = 0;
                for (int i = start; i < start + length; i++)
                {
                    int v = Channel(colors[i].Color, c);
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                if (max - min > bestExtent)
                {
                    bestExtent = max - min;
                    bestChannel = c;
                }
            }
            return (bestExtent, bestChannel);
        }

        public (Box Low, Box High) Split((int Color, int Count)[] colors)
        {
            int channel = Range(colors).Channel;
            Array.Sort(all, start, length, Comparer<(int Color, int Count)>.Create(
                (a, b) => Channel(a.Color, channel).CompareTo(Channel(b.Color, channel))));
            long half = Weight(colors) / 2, running = 0;
            int cut = start + 1;
            for (int i = start; i < start + length - 1; i++)
            {
                running += colors[i].Count;
                cut = i + 1;
                if (running >= half) break;
            }
            return (new Box(all, start, cut - start), new Box(all, cut, start + length - cut));
        }

        public int Mean((int Color, int Count)[] colors)
        {
            long r = 0, g = 0, b = 0, n = 0;
            for (int i = start; i < start + length; i++)
            {
                var (color, count) = colors[i];
                r += (long)Channel(color, 0) * count;
                g += (long)Channel(color, 1) * count;
                b += (long)Channel(color, 2) * count;
                n += count;
            }
            return (int)((r + n / 2) / n) << 16 | (int)((g + n / 2) / n) << 8 | (int)((b + n / 2) / n);
        }
    }
}
