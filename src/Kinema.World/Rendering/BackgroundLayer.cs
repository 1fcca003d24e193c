namespace Kinema.World;

/// <summary>
/// The scenery rasterised once per clip. A static camera gets a layer on the exact frame grid, copied
/// into every frame; a moving camera gets one covering everything the camera will see, at the finest
/// scale it will need, resampled per frame with a bilinear filter.
/// </summary>
internal sealed class BackgroundLayer
{
    private readonly byte[] _pixels;
    private readonly int _width, _height;
    private readonly double _originX, _originY, _pixelsPerUnit;
    private readonly bool _matchesFrameGrid;

    public BackgroundLayer(BackgroundPainter painter, CameraMotion camera, int frameWidth, int frameHeight, IReadOnlyList<double> frameTimes, int parallelism)
    {
        double shortSide = Math.Min(frameWidth, frameHeight);
        if (camera == CameraMotion.Static)
        {
            _matchesFrameGrid = true;
            _pixelsPerUnit = shortSide;
            _originX = 0.5 - frameWidth / (2 * shortSide);
            _originY = 0.5 - frameHeight / (2 * shortSide);
            _width = frameWidth;
            _height = frameHeight;
        }
        else
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue, maxZoom = 0;
            foreach (double t in frameTimes)
            {
                var (cx, cy, zoom) = CameraPath.ViewAt(camera, t);
                double ppu = shortSide * zoom;
                minX = Math.Min(minX, cx - frameWidth / (2 * ppu));
                maxX = Math.Max(maxX, cx + frameWidth / (2 * ppu));
                minY = Math.Min(minY, cy - frameHeight / (2 * ppu));
                maxY = Math.Max(maxY, cy + frameHeight / (2 * ppu));
                maxZoom = Math.Max(maxZoom, zoom);
            }
            _pixelsPerUnit = shortSide * maxZoom;
            _originX = minX - 2 / _pixelsPerUnit;
            _originY = minY - 2 / _pixelsPerUnit;
            _width = (int)Math.Ceiling((maxX - minX) * _pixelsPerUnit) + 4;
            _height = (int)Math.Ceiling((maxY - minY) * _pixelsPerUnit) + 4;
        }
        _pixels = new byte[_width * _height * 3];
        double pixel = 1 / _pixelsPerUnit;
        Parallel.For(0, _height, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, row =>
        {
            double y = _originY + (row + 0.5) * pixel;
            int o = row * _width * 3;
            for (int col = 0; col < _width; col++, o += 3)
            {
                var c = painter.Paint(_originX + (col + 0.5) * pixel, y, pixel);
                _pixels[o] = ToByte(c.R);
                _pixels[o + 1] = ToByte(c.G);
                _pixels[o + 2] = ToByte(c.B);
            }
        });
    }

    /// <summary>Writes the scenery as the camera sees it at (centerX, centerY, zoom) into a frame buffer.</summary>
    public void Draw(byte[] frame, int frameWidth, int frameHeight, double centerX, double centerY, double zoom, int[] columnIndex, float[] columnFraction)
    {
        if (_matchesFrameGrid)
        {
            Buffer.BlockCopy(_pixels, 0, frame, 0, _pixels.Length);
            return;
        }
        double ppu = Math.Min(frameWidth, frameHeight) * zoom;
        for (int col = 0; col < frameWidth; col++)
        {
            double wx = centerX + (col + 0.5 - frameWidth * 0.5) / ppu;
            double u = Math.Clamp((wx - _originX) * _pixelsPerUnit - 0.5, 0, _width - 1.001);
            columnIndex[col] = (int)u;
            columnFraction[col] = (float)(u - (int)u);
        }
        for (int row = 0; row < frameHeight; row++)
        {
            double wy = centerY + (row + 0.5 - frameHeight * 0.5) / ppu;
            double v = Math.Clamp((wy - _originY) * _pixelsPerUnit - 0.5, 0, _height - 1.001);
            int v0 = (int)v;
            float fy = (float)(v - v0);
            int top = v0 * _width * 3, bottom = top + _width * 3;
            int o = row * frameWidth * 3;
            for (int col = 0; col < frameWidth; col++, o += 3)
            {
                int a = top + columnIndex[col] * 3, b = bottom + columnIndex[col] * 3;
                float fx = columnFraction[col];
                for (int c = 0; c < 3; c++)
                {
                    float upper = _pixels[a + c] + (_pixels[a + 3 + c] - _pixels[a + c]) * fx;
                    float lower = _pixels[b + c] + (_pixels[b + 3 + c] - _pixels[b + c]) * fx;
                    frame[o + c] = (byte)(upper + (lower - upper) * fy + 0.5f);
                }
            }
        }
    }

    public static byte ToByte(float value) => (byte)Math.Clamp((int)(value + 0.5f), 0, 255);
}
