namespace Kinema.World;

/// <summary>
/// Rain streaks and snowflakes in screen space (they fall past the camera, whatever it does). Their
/// start positions come from the scene seed alone, so the same scene always has the same weather and
/// removing the objects does not move a single drop.
/// </summary>
internal sealed class WeatherParticles
{
    private const double RainSlant = 0.2;

    private readonly Weather _weather;
    private readonly int _width, _height;
    private readonly double _unit, _spanX, _spanY;
    private readonly double[] _x0, _y0, _speed, _size, _phase;
    private readonly Rgb _color;
    private readonly float _alpha;

    public WeatherParticles(Scene scene, int width, int height)
    {
        _weather = scene.Weather;
        _width = width;
        _height = height;
        _unit = Math.Min(width, height);
        _spanX = width / _unit + 0.2;
        _spanY = height / _unit + 0.2;
        double area = width * (double)height / (_unit * _unit);
        int count = _weather switch { Weather.Rain => (int)(60 * area), Weather.Snow => (int)(110 * area), _ => 0 };
        _x0 = new double[count];
        _y0 = new double[count];
        _speed = new double[count];
        _size = new double[count];
        _phase = new double[count];
        for (int i = 0; i < count; i++)
        {
            _x0[i] = SeededHash.Unit(scene.Seed, 51, i) * _spanX;
            _y0[i] = SeededHash.Unit(scene.Seed, 52, i) * _spanY;
            _speed[i] = _weather == Weather.Rain ? 1.4 + 0.6 * SeededHash.Unit(scene.Seed, 53, i) : 0.1 + 0.08 * SeededHash.Unit(scene.Seed, 53, i);
            _size[i] = _weather == Weather.Rain ? 0.04 + 0.025 * SeededHash.Unit(scene.Seed, 54, i) : 0.007 + 0.007 * SeededHash.Unit(scene.Seed, 54, i);
            _phase[i] = 6.283 * SeededHash.Unit(scene.Seed, 55, i);
        }
        float light = scene.TimeOfDay switch { TimeOfDay.Night => _weather == Weather.Snow ? 0.8f : 0.6f, TimeOfDay.Sunset => 0.9f, _ => 1f };
        _color = (_weather == Weather.Rain ? new Rgb(212, 218, 232) : new Rgb(252, 252, 255)) * light;
        _alpha = _weather == Weather.Rain ? 0.5f : 0.92f;
    }

    public void Draw(byte[] pixels, double t)
    {
        for (int i = 0; i < _x0.Length; i++)
        {
            if (_weather == Weather.Rain)
            {
                double fall = _speed[i] * t;
                double y = Wrap(_y0[i] + fall, _spanY) - 0.1;
                double x = Wrap(_x0[i] + fall * RainSlant, _spanX) - 0.1;
                double length = _size[i];
                DrawStreak(pixels, x * _unit, y * _unit, (x - RainSlant * length) * _unit, (y - length) * _unit);
            }
            else
            {
                double y = Wrap(_y0[i] + _speed[i] * t, _spanY) - 0.1;
                double x = Wrap(_x0[i] + 0.025 * Math.Sin(1.3 * t + _phase[i]), _spanX) - 0.1;
                DrawFlake(pixels, x * _unit, y * _unit, Math.Max(0.75, _size[i] * _unit));
            }
        }
    }

    private static double Wrap(double value, double span) => value - span * Math.Floor(value / span);

    private void DrawStreak(byte[] pixels, double ax, double ay, double bx, double by)
    {
        // Streaks keep the same width relative to the frame, so a large render downsampled looks like a small one.
        float halfWidth = (float)Math.Max(0.55, 0.0045 * _unit);
        int x0 = Math.Max(0, (int)Math.Floor(Math.Min(ax, bx) - 1)), x1 = Math.Min(_width - 1, (int)Math.Ceiling(Math.Max(ax, bx) + 1));
        int y0 = Math.Max(0, (int)Math.Floor(Math.Min(ay, by) - 1)), y1 = Math.Min(_height - 1, (int)Math.Ceiling(Math.Max(ay, by) + 1));
        float ex = (float)(bx - ax), ey = (float)(by - ay);
        float lengthSquared = ex * ex + ey * ey;
        for (int py = y0; py <= y1; py++)
        {
            for (int px = x0; px <= x1; px++)
            {
                float qx = px + 0.5f - (float)ax, qy = py + 0.5f - (float)ay;
                float h = Math.Clamp((qx * ex + qy * ey) / lengthSquared, 0f, 1f);
                float dx = qx - ex * h, dy = qy - ey * h;
                float coverage = Math.Clamp(halfWidth + 0.5f - MathF.Sqrt(dx * dx + dy * dy), 0f, 1f);
                if (coverage > 0f) ClipRenderer.Blend(pixels, (py * _width + px) * 3, _color, _alpha * coverage);
            }
        }
    }

    private void DrawFlake(byte[] pixels, double cx, double cy, double radius)
    {
        int x0 = Math.Max(0, (int)Math.Floor(cx - radius - 1)), x1 = Math.Min(_width - 1, (int)Math.Ceiling(cx + radius + 1));
        int y0 = Math.Max(0, (int)Math.Floor(cy - radius - 1)), y1 = Math.Min(_height - 1, (int)Math.Ceiling(cy + radius + 1));
        for (int py = y0; py <= y1; py++)
        {
            for (int px = x0; px <= x1; px++)
            {
                double dx = px + 0.5 - cx, dy = py + 0.5 - cy;
                float coverage = (float)Math.Clamp(radius + 0.5 - Math.Sqrt(dx * dx + dy * dy), 0, 1);
                if (coverage > 0f) ClipRenderer.Blend(pixels, (py * _width + px) * 3, _color, _alpha * coverage);
            }
        }
    }
}
