namespace Kinema.Media.Gif;

/// <summary>
/// Collects what the palette builder needs while frames stream past: the exact set of colours while
/// there are at most 256 of them (so flat renders are stored losslessly), and a bounded, deterministic
/// sample of pixels for median cut otherwise.
/// </summary>
internal sealed class ColorSampler
{
    private const int SamplesPerFrame = 8192;
    private const int MaxSamples = 1 << 20;
    private readonly HashSet<int> _exact = [];
    private readonly List<int> _samples = [];
    private int _frameIndex;
    private int _keepEvery = 1;

    /// <summary>The distinct colours seen, or null once there were more than 256.</summary>
    public IReadOnlyCollection<int>? ExactColors => _exact.Count <= 256 ? _exact : null;

    public IReadOnlyList<int> Samples => _samples;

    public void Add(byte[] rgb)
    {
        int pixels = rgb.Length / 3;
        if (_exact.Count <= 256)
        {
            int last = -1;
            for (int i = 0; i < rgb.Length && _exact.Count <= 256; i += 3)
            {
                int color = (rgb[i] << 16) | (rgb[i + 1] << 8) | rgb[i + 2];
                if (color == last) continue;
                _exact.Add(color);
                last = color;
            }
        }

        int stride = Math.Max(1, pixels / SamplesPerFrame);
        // Shift the sampling grid each frame so that, over a video, every region gets sampled.
        int offset = stride > 1 ? (_frameIndex * 7919) % stride : 0;
        int taken = 0;
        for (int p = offset; p < pixels; p += stride)
        {
            if (taken++ % _keepEvery != 0) continue;
            int i = p * 3;
            _samples.Add((rgb[i] << 16) | (rgb[i + 1] << 8) | rgb[i + 2]);
        }
        _frameIndex++;
        if (_samples.Count > MaxSamples) Halve();
    }

    private void Halve()
    {
        int kept = 0;
        for (int i = 0; i < _samples.Count; i += 2) _samples[kept++] = _samples[i];
        _samples.RemoveRange(kept, _samples.Count - kept);
        _keepEvery *= 2;
    }
}
