using Kinema.Media;

namespace Kinema.World;

/// <summary>
/// Everything one clip needs that does not change from frame to frame (simulation, scenery layer,
/// colours, weather particles), so that rendering a frame is only blits and bounding-box-limited shape
/// coverage. Frames are independent of each other and can be rendered in any order on any thread.
/// </summary>
internal sealed class ClipRenderer
{
    private readonly Scene _scene;
    private readonly int _width, _height;
    private readonly double[] _frameTimes;
    private readonly SceneSimulation _simulation;
    private readonly BackgroundLayer _background;
    private readonly bool _drawObjects;
    private readonly int[] _drawOrder;
    private readonly Rgb[] _fill, _outline;
    private readonly float _shadowAlpha, _shadowOffset, _shadowStretch;
    private readonly WeatherParticles _weather;

    public ClipRenderer(Scene scene, int width, int height, double fps, int frameCount, bool drawObjects, int parallelism)
    {
        _scene = scene;
        _width = width;
        _height = height;
        _drawObjects = drawObjects;
        _frameTimes = new double[frameCount];
        for (int i = 0; i < frameCount; i++) _frameTimes[i] = i / fps;
        _simulation = new SceneSimulation(scene, _frameTimes[^1]);
        _background = new BackgroundLayer(new BackgroundPainter(scene), scene.Camera, width, height, _frameTimes, parallelism);
        _drawOrder = Enumerable.Range(0, scene.Objects.Count)
            .OrderByDescending(i => scene.Objects[i].Depth).ThenBy(i => i).ToArray();
        _fill = scene.Objects.Select(o => Palette.Apparent(o.Color, scene.TimeOfDay, scene.Weather)).ToArray();
        _outline = _fill.Select(Palette.Outline).ToArray();
        (_shadowAlpha, _shadowOffset, _shadowStretch) = scene.TimeOfDay switch
        {
            // A low sun casts long shadows to the side away from it; moonlight casts faint short ones.
            TimeOfDay.Sunset => (0.3f, 0.75f, 1.8f),
            TimeOfDay.Night => (scene.Background == Background.IndoorRoom ? 0.24f : 0.16f, 0f, 0.95f),
            _ => (0.34f, 0.15f, 1.0f),
        };
        if (scene.Weather is Weather.Rain or Weather.Fog) _shadowAlpha *= 0.6f;
        if (scene.Weather == Weather.Snow) _shadowAlpha *= 0.8f;
        _weather = new WeatherParticles(scene, width, height);
    }

    public int FrameCount => _frameTimes.Length;

    public RgbFrame RenderFrame(int index, int[] columnIndex, float[] columnFraction)
    {
        var pixels = new byte[_width * _height * 3];
        double t = _frameTimes[index];
        var (cx, cy, zoom) = CameraPath.ViewAt(_scene.Camera, t);
        _background.Draw(pixels, _width, _height, cx, cy, zoom, columnIndex, columnFraction);
        var view = new View(cx, cy, Math.Min(_width, _height) * zoom, _width, _height);
        if (_drawObjects)
        {
            Span<ObjectState> states = stackalloc ObjectState[_scene.Objects.Count];
            for (int i = 0; i < states.Length; i++) states[i] = _simulation.StateAt(i, t);
            for (int i = 0; i < states.Length; i++) DrawShadow(pixels, view, _scene.Objects[i], states[i]);
            foreach (int i in _drawOrder) DrawObject(pixels, view, _scene.Objects[i].Shape, states[i], _fill[i], _outline[i]);
        }
        _weather.Draw(pixels, t);
        return new RgbFrame(_width, _height, pixels);
    }

    private readonly record struct View(double CenterX, double CenterY, double PixelsPerUnit, int Width, int Height)
    {
        public double ScreenX(double x) => (x - CenterX) * PixelsPerUnit + Width * 0.5;
        public double ScreenY(double y) => (y - CenterY) * PixelsPerUnit + Height * 0.5;
    }

    private void DrawObject(byte[] pixels, View view, ShapeKind shape, ObjectState state, Rgb fill, Rgb outline)
    {
        float radiusPx = (float)(state.Radius * view.PixelsPerUnit);
        float sx = (float)view.ScreenX(state.X), sy = (float)view.ScreenY(state.Y);
        float reach = radiusPx * ShapeGeometry.Reach + 1.5f;
        int x0 = Math.Max(0, (int)MathF.Floor(sx - reach)), x1 = Math.Min(_width - 1, (int)MathF.Ceiling(sx + reach));
        int y0 = Math.Max(0, (int)MathF.Floor(sy - reach)), y1 = Math.Min(_height - 1, (int)MathF.Ceiling(sy + reach));
        if (x0 > x1 || y0 > y1) return;
        float outlinePx = Math.Clamp(0.08f * radiusPx, 0.7f, 2.5f);
        float cos = MathF.Cos((float)state.Angle), sin = MathF.Sin((float)state.Angle);
        float flip = state.FacingLeft && shape is ShapeKind.Person or ShapeKind.Bird or ShapeKind.Fish ? -1f : 1f;
        float inverseRadius = 1f / radiusPx;
        float gait = (float)state.GaitPhase;
        for (int py = y0; py <= y1; py++)
        {
            float dy = py + 0.5f - sy;
            int o = (py * _width + x0) * 3;
            for (int px = x0; px <= x1; px++, o += 3)
            {
                float dx = px + 0.5f - sx;
                // Rotate the pixel into the object's frame (the object turns by Angle clockwise on screen).
                float lx = (cos * dx + sin * dy) * inverseRadius * flip;
                float ly = (-sin * dx + cos * dy) * inverseRadius;
                if (lx * lx + ly * ly > ShapeGeometry.Reach * ShapeGeometry.Reach + 0.1f) continue;
                float distancePx = ShapeGeometry.Distance(shape, lx, ly, gait) * radiusPx;
                float coverage = Math.Clamp(0.5f - distancePx, 0f, 1f);
                if (coverage <= 0f) continue;
                float interior = Math.Clamp(0.5f - (distancePx + outlinePx), 0f, 1f);
                var color = outline.Lerp(fill, interior);
                Blend(pixels, o, color, coverage);
            }
        }
    }

    private void DrawShadow(byte[] pixels, View view, SceneObject sceneObject, ObjectState state)
    {
        double lift = Math.Clamp(state.HeightAboveGround / 0.5, 0, 1);
        float alpha = _shadowAlpha * (float)(1 - 0.8 * lift);
        if (alpha <= 0.01f) return;
        double radius = state.Radius * (1 - 0.3 * lift);
        double centerX = state.X + _shadowOffset * state.Radius;
        double centerY = WorldConstants.GroundLine(sceneObject.Depth) - 0.01;
        float rx = (float)(radius * 0.95 * _shadowStretch * view.PixelsPerUnit), ry = (float)(radius * 0.24 * view.PixelsPerUnit + 0.8);
        float sx = (float)view.ScreenX(centerX), sy = (float)view.ScreenY(centerY);
        int x0 = Math.Max(0, (int)(sx - rx - 2)), x1 = Math.Min(_width - 1, (int)(sx + rx + 2));
        int y0 = Math.Max(0, (int)(sy - ry - 2)), y1 = Math.Min(_height - 1, (int)(sy + ry + 2));
        for (int py = y0; py <= y1; py++)
        {
            float ny = (py + 0.5f - sy) / ry;
            int o = (py * _width + x0) * 3;
            for (int px = x0; px <= x1; px++, o += 3)
            {
                float nx = (px + 0.5f - sx) / rx;
                // Distance in pixels along the minor axis gives a soft, resolution-independent edge.
                float edge = (MathF.Sqrt(nx * nx + ny * ny) - 1f) * ry;
                float coverage = Math.Clamp(0.5f - edge / 1.5f, 0f, 1f);
                if (coverage <= 0f) continue;
                float keep = 1f - alpha * coverage;
                pixels[o] = (byte)(pixels[o] * keep + 0.5f);
                pixels[o + 1] = (byte)(pixels[o + 1] * keep + 0.5f);
                pixels[o + 2] = (byte)(pixels[o + 2] * keep + 0.5f);
            }
        }
    }

    public static void Blend(byte[] pixels, int offset, Rgb color, float alpha)
    {
        float r = pixels[offset], g = pixels[offset + 1], b = pixels[offset + 2];
        pixels[offset] = (byte)Math.Clamp(r + (color.R - r) * alpha + 0.5f, 0f, 255f);
        pixels[offset + 1] = (byte)Math.Clamp(g + (color.G - g) * alpha + 0.5f, 0f, 255f);
        pixels[offset + 2] = (byte)Math.Clamp(b + (color.B - b) * alpha + 0.5f, 0f, 255f);
    }
}
