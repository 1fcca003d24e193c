namespace Kinema.Media;

/// <summary>How a video is encoded. Only <see cref="Fps"/> is required.</summary>
public sealed record VideoWriteOptions
{
    private readonly double _fps;
    private readonly int _crf = 18;

    /// <summary>
    /// Frames per second, finite and &gt; 0. MP4 keeps it exactly (as a rational; 29.97-style rates are
    /// recognised as N/1001). GIF delays are whole 1/100 s, so a GIF alternates delays to keep the
    /// average rate (24 fps: 4,4,4,5,4,4,... cs) and cannot go faster than 50 fps (2 cs per frame).
    /// </summary>
    public required double Fps
    {
        get => _fps;
        init
        {
            if (!double.IsFinite(value) || value <= 0)
                throw new ArgumentOutOfRangeException(nameof(Fps), value, "Fps must be a finite number > 0 (e.g. 24, 30, 29.97)");
            _fps = value;
        }
    }

    /// <summary>Free text stored in the file: the MP4 <c>comment</c> tag, or a GIF comment extension (e.g. JSON of generation parameters).</summary>
    public string? Comment { get; init; }

    /// <summary>libx264 constant rate factor, 0 (lossless) to 51 (worst); 18 is visually near-lossless. Ignored for GIF.</summary>
    public int Crf
    {
        get => _crf;
        init
        {
            if (value is < 0 or > 51)
                throw new ArgumentOutOfRangeException(nameof(Crf), value, "Crf must be between 0 (lossless) and 51 (lowest quality)");
            _crf = value;
        }
    }

    /// <summary>
    /// Whether the GIF encoder applies ordered (Bayer 4x4) dithering when a video has more than 256
    /// colours. Videos with at most 256 distinct colours are stored exactly and never dithered.
    /// </summary>
    public bool GifDithering { get; init; } = true;
}
