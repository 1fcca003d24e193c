namespace Kinema.Media;

/// <summary>Several videos' frames laid out on one picture, to compare them at a glance.</summary>
public static class ContactSheet
{
    /// <summary>
    /// One row per video, <paramref name="columns"/> frames per row, spread evenly from the first frame to
    /// the last. All frames must share one size.
    /// </summary>
    public static RgbFrame Rows(IReadOnlyList<IReadOnlyList<RgbFrame>> videos, int columns)
    {
        ArgumentNullException.ThrowIfNull(videos);
        if (videos.Count == 0) throw new ArgumentException("at least one video is needed", nameof(videos));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be at least 1");
        if (videos.Any(v => v is null || v.Count == 0)) throw new ArgumentException("every video needs at least one frame", nameof(videos));
        int w = videos[0][0].Width, h = videos[0][0].Height;
        if (videos.Any(v => v.Any(f => f.Width != w || f.Height != h)))
            throw new ArgumentException($"every frame must be {w}x{h}", nameof(videos));

        var sheet = new RgbFrame(w * columns, h * videos.Count);
        for (int row = 0; row < videos.Count; row++)
        {
            var video = videos[row];
            for (int column = 0; column < columns; column++)
            {
                int index = columns == 1 ? 0 : (int)Math.Round(column * (video.Count - 1) / (double)(columns - 1));
                var frame = video[index];
                for (int y = 0; y < h; y++)
                    Array.Copy(frame.Pixels, y * w * 3, sheet.Pixels, ((row * h + y) * sheet.Width + column * w) * 3, w * 3);
            }
        }
        return sheet;
    }
}
