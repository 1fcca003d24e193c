namespace Kinema.World;

/// <summary>
/// The scenery of a scene as a function of stage coordinates, defined for any point (not only the stage)
/// so that pans, zooms and wide or tall frames show more of the same world. Edges are smoothed over the
/// footprint of one pixel so the precomputed layer is anti-aliased without supersampling.
/// </summary>
internal sealed class BackgroundPainter
{
    private const double H = WorldConstants.HorizonY;
    private const int CloudCount = 3;

    private readonly Scene _scene;
    private readonly Rgb _zenith, _horizon, _scenery, _fog;
    private readonly float _fogAmount;
    private readonly double[] _cloudX = new double[CloudCount], _cloudY = new double[CloudCount], _cloudW = new double[CloudCount];
    private readonly double _phaseA, _phaseB;
    private readonly bool _clearSky;

    public BackgroundPainter(Scene scene)
    {
        _scene = scene;
        var time = scene.TimeOfDay;
        (_zenith, _horizon) = time switch
        {
            TimeOfDay.Sunset => (new Rgb(62, 56, 122), new Rgb(250, 148, 72)),
            TimeOfDay.Night => (new Rgb(6, 10, 30), new Rgb(28, 38, 76)),
            _ => (new Rgb(68, 132, 224), new Rgb(172, 210, 246)),
        };
        if (scene.Background == Background.NightSky && time != TimeOfDay.Night)
        {
            // A starry sky seen before full night: deep blue, only brightened a little by the hour.
            _zenith = new Rgb(10, 16, 48).Lerp(_zenith, 0.25f);
            _horizon = new Rgb(34, 46, 92).Lerp(_horizon, 0.3f);
        }
        float lightness = time switch { TimeOfDay.Sunset => 0.8f, TimeOfDay.Night => 0.3f, _ => 1f };
        if (scene.Weather == Weather.Rain)
        {
            _zenith = _zenith.Lerp(new Rgb(118, 124, 136) * lightness, 0.6f);
            _horizon = _horizon.Lerp(new Rgb(140, 145, 155) * lightness, 0.6f);
        }
        else if (scene.Weather == Weather.Snow)
        {
            _zenith = _zenith.Lerp(new Rgb(178, 184, 196) * lightness, 0.65f);
            _horizon = _horizon.Lerp(new Rgb(204, 208, 216) * lightness, 0.65f);
        }
        _scenery = Palette.SceneryLight(time);
        if (scene.Background == Background.IndoorRoom && time == TimeOfDay.Night) _scenery = new Rgb(0.62f, 0.54f, 0.44f);
        if (scene.Weather == Weather.Rain) _scenery *= 0.82f;
        if (scene.Weather == Weather.Snow) _scenery *= 0.9f;
        _fog = Palette.FogColor(time);
        _fogAmount = scene.Weather == Weather.Fog ? Palette.FogOnScenery : 0f;
        _clearSky = scene.Weather is Weather.None or Weather.Fog;
        for (int i = 0; i < CloudCount; i++)
        {
            _cloudX[i] = -0.2 + 1.4 * SeededHash.Unit(scene.Seed, 11, i);
            _cloudY[i] = 0.08 + 0.2 * SeededHash.Unit(scene.Seed, 12, i);
            _cloudW[i] = 0.1 + 0.08 * SeededHash.Unit(scene.Seed, 13, i);
        }
        _phaseA = 6.283 * SeededHash.Unit(scene.Seed, 14, 0);
        _phaseB = 6.283 * SeededHash.Unit(scene.Seed, 14, 1);
    }

    /// <summary>The colour at stage point (x, y); <paramref name="pixel"/> is the stage size of one pixel.</summary>
    public Rgb Paint(double x, double y, double pixel)
    {
        var color = _scene.Background switch
        {
            Background.Meadow => Meadow(x, y, pixel),
            Background.Beach => Beach(x, y, pixel),
            Background.Desert => Desert(x, y, pixel),
            Background.SnowField => SnowField(x, y, pixel),
            Background.NightSky => NightSky(x, y, pixel),
            Background.CityStreet => CityStreet(x, y, pixel),
            _ => IndoorRoom(x, y, pixel),
        };
        if (_fogAmount > 0)
        {
            // Far things (near the horizon) disappear into the fog more than the foreground.
            float depth = y < H ? 1f : (float)Math.Clamp(1 - (y - H) * 0.9, 0.45, 1);
            color = color.Lerp(_fog, _fogAmount * depth);
        }
        return color;
    }

    /// <summary>Coverage in [0, 1] of the inside of an edge at signed distance <paramref name="distance"/> (negative inside).</summary>
    private static float Inside(double distance, double pixel) => (float)Math.Clamp(0.5 - distance / pixel, 0, 1);

    private Rgb Sky(double x, double y, double pixel)
    {
        float t = (float)Math.Clamp((H - y) / 0.85, 0, 1);
        var sky = _horizon.Lerp(_zenith, MathF.Sqrt(t));
        var time = _scene.TimeOfDay;
        bool starry = _scene.Background == Background.NightSky || time == TimeOfDay.Night;
        if (starry && _clearSky) sky = Stars(sky, x, y, pixel);
        if (_scene.Weather == Weather.None || _scene.Weather == Weather.Fog)
        {
            if (time == TimeOfDay.Night || _scene.Background == Background.NightSky)
            {
                sky = sky.Lerp(new Rgb(238, 236, 218), Inside(Dist(x - 0.78, y - 0.13) - 0.05, pixel));
            }
            else if (time == TimeOfDay.Sunset)
            {
                double d = Dist(x - 0.27, y - (H - 0.03));
                sky = sky.Lerp(new Rgb(255, 238, 200), 0.35f * (float)Math.Clamp(1 - (d - 0.08) / 0.12, 0, 1));
                sky = sky.Lerp(new Rgb(255, 120, 50), Inside(d - 0.08, pixel));
            }
            else
            {
                sky = sky.Lerp(new Rgb(255, 246, 205), Inside(Dist(x - 0.82, y - 0.12) - 0.055, pixel));
            }
        }
        if (time != TimeOfDay.Night && _scene.Background != Background.NightSky)
        {
            var cloud = (_scene.Weather == Weather.None ? new Rgb(252, 252, 255) : new Rgb(225, 228, 235)) * _scenery;
            for (int i = 0; i < CloudCount; i++)
            {
                double w = _cloudW[i];
                double dx = x - _cloudX[i], dy = y - _cloudY[i];
                double d = Math.Min(Dist(dx / 1.8, dy) - w * 0.35, Math.Min(Dist((dx - w * 0.55) / 1.4, dy + w * 0.12) - w * 0.3, Dist((dx + w * 0.5) / 1.4, dy + w * 0.05) - w * 0.26));
                sky = sky.Lerp(cloud, 0.9f * Inside(Math.Max(d, dy - w * 0.18), pixel));
            }
        }
        return sky;
    }

    private Rgb Stars(Rgb sky, double x, double y, double pixel)
    {
        const double cell = 0.05;
        long cx = (long)Math.Floor(x / cell), cy = (long)Math.Floor(y / cell);
        long key = cx * 73856093L ^ cy * 19349663L;
        int seed = _scene.Seed;
        if (SeededHash.Unit(seed, 21, key) > 0.6) return sky;
        double sx = (cx + 0.2 + 0.6 * SeededHash.Unit(seed, 22, key)) * cell;
        double sy = (cy + 0.2 + 0.6 * SeededHash.Unit(seed, 23, key)) * cell;
        double radius = 0.0025 + 0.0035 * SeededHash.Unit(seed, 24, key);
        // Stars stay at least about a pixel wide so they read at 128x128 rather than vanish in the filter.
        double visible = Math.Max(radius, pixel * 0.6);
        float brightness = (float)(0.55 + 0.45 * SeededHash.Unit(seed, 25, key)) * (float)Math.Min(1, radius / visible * 1.6);
        return sky.Lerp(new Rgb(255, 250, 225), brightness * Inside(Dist(x - sx, y - sy) - visible, pixel));
    }

    private Rgb Meadow(double x, double y, double pixel)
    {
        double hill = H - 0.035 - 0.03 * Math.Sin(6.5 * x + _phaseA) - 0.018 * Math.Sin(15 * x + _phaseB);
        var color = Sky(x, y, pixel);
        color = color.Lerp(new Rgb(82, 142, 78) * _scenery, Inside(hill - y, pixel));
        float g = (float)Math.Clamp((y - H) / 0.6, 0, 1);
        var grass = new Rgb(112, 186, 72).Lerp(new Rgb(52, 132, 42), g);
        grass *= 1f + 0.05f * MathF.Sin((float)(y * 70 + 3 * Math.Sin(x * 9)));
        return color.Lerp(grass * _scenery, Inside(H - y, pixel));
    }

    private Rgb Beach(double x, double y, double pixel)
    {
        const double shore = 0.6;
        var color = Sky(x, y, pixel);
        float depth = (float)Math.Clamp((y - H) / (shore - H), 0, 1);
        var sea = new Rgb(26, 96, 170).Lerp(new Rgb(52, 150, 196), depth);
        double wave = Math.Abs(((y - H) / 0.032 + 0.25 * Math.Sin(x * 14 + _phaseA)) % 1 - 0.5);
        sea = sea.Lerp(new Rgb(196, 226, 240), 0.55f * depth * (float)Math.Clamp(1 - (0.5 - wave) / 0.08, 0, 1));
        color = color.Lerp(sea * _scenery, Inside(H - y, pixel));
        double shoreLine = shore + 0.012 * Math.Sin(x * 11 + _phaseB);
        var sand = new Rgb(236, 212, 154).Lerp(new Rgb(214, 184, 124), (float)Math.Clamp((y - shore) / 0.5, 0, 1));
        color = color.Lerp(new Rgb(245, 248, 250) * _scenery, Inside(shoreLine - 0.012 - y, pixel));
        return color.Lerp(sand * _scenery, Inside(shoreLine - y, pixel));
    }

    private Rgb Desert(double x, double y, double pixel)
    {
        var color = Sky(x, y, pixel);
        double far = H - 0.03 - 0.035 * Math.Sin(4.2 * x + _phaseA);
        color = color.Lerp(new Rgb(214, 160, 96) * _scenery, Inside(far - y, pixel));
        double near = H + 0.06 + 0.03 * Math.Sin(3.1 * x + _phaseB);
        var sand = new Rgb(236, 196, 128).Lerp(new Rgb(222, 176, 106), (float)Math.Clamp((y - near) / 0.5, 0, 1));
        color = color.Lerp(new Rgb(226, 180, 112) * _scenery, Inside(H - y, pixel));
        return color.Lerp(sand * _scenery, Inside(near - y, pixel));
    }

    private Rgb SnowField(double x, double y, double pixel)
    {
        var color = Sky(x, y, pixel);
        double hill = H - 0.05 - 0.05 * Math.Abs(Math.Sin(3.3 * x + _phaseA)) - 0.02 * Math.Sin(11 * x + _phaseB);
        color = color.Lerp(new Rgb(206, 216, 236) * _scenery, Inside(hill - y, pixel));
        var snow = new Rgb(246, 248, 252).Lerp(new Rgb(214, 224, 242), (float)Math.Clamp((y - H) / 0.6, 0, 1));
        snow *= 1f - 0.04f * MathF.Max(0, MathF.Sin((float)(x * 5 + y * 20 + _phaseB)));
        return color.Lerp(snow * _scenery, Inside(H - y, pixel));
    }

    private Rgb NightSky(double x, double y, double pixel)
    {
        var color = Sky(x, y, pixel);
        double hill = H + 0.02 - 0.06 * Math.Abs(Math.Sin(2.7 * x + _phaseA)) - 0.02 * Math.Sin(9 * x + _phaseB);
        var land = new Rgb(24, 34, 44).Lerp(new Rgb(16, 22, 30), (float)Math.Clamp((y - H) / 0.5, 0, 1));
        var tint = _scene.TimeOfDay == TimeOfDay.Night ? new Rgb(1, 1, 1) : _scenery * 1.6f;
        return color.Lerp(land * tint, Inside(hill - y, pixel));
    }

    private Rgb CityStreet(double x, double y, double pixel)
    {
        const double street = 0.6, curb = 0.665;
        var color = Sky(x, y, pixel);
        const double lotWidth = 0.16;
        long lot = (long)Math.Floor(x / lotWidth);
        int seed = _scene.Seed;
        double lotLeft = lot * lotWidth;
        double gap = 0.012;
        double top = street - 0.18 - 0.3 * SeededHash.Unit(seed, 31, lot);
        double inLot = x - lotLeft;
        double buildingDistance = Math.Max(Math.Max(gap - inLot, inLot - (lotWidth - gap)), top - y);
        var wall = new Rgb(128, 124, 136).Lerp(new Rgb(150, 96, 78), (float)SeededHash.Unit(seed, 32, lot));
        bool night = _scene.TimeOfDay == TimeOfDay.Night;
        double wx = (inLot - gap - 0.012) / 0.032, wy = (y - top - 0.015) / 0.045;
        if (wx >= 0 && wy >= 0 && inLot < lotWidth - gap - 0.01 && y < street - 0.03)
        {
            double fx = wx - Math.Floor(wx), fy = wy - Math.Floor(wy);
            double windowDistance = Math.Max(Math.Abs(fx - 0.4) - 0.26, Math.Abs(fy - 0.42) - 0.26) * 0.035;
            bool lit = SeededHash.Unit(seed, 33, lot * 1000 + (long)wx * 37 + (long)wy) < (night ? 0.65 : 0.0);
            var glass = lit ? new Rgb(250, 214, 120) : new Rgb(176, 196, 214);
            wall = wall.Lerp(glass, Inside(windowDistance, pixel));
        }
        color = color.Lerp(wall * _scenery, Inside(buildingDistance, pixel));
        color = color.Lerp(new Rgb(172, 168, 162) * _scenery, Inside(street - y, pixel));
        var road = new Rgb(74, 74, 80);
        double laneY = 0.735;
        double dash = Math.Abs((x / 0.12) % 1) - 0.5;
        if (Math.Abs(dash) < 0.3) road = road.Lerp(new Rgb(236, 232, 210), Inside(Math.Abs(y - laneY) - 0.008, pixel));
        color = color.Lerp(new Rgb(120, 118, 116) * _scenery, Inside(curb - 0.012 - y, pixel));
        return color.Lerp(road * _scenery, Inside(curb - y, pixel));
    }

    private Rgb IndoorRoom(double x, double y, double pixel)
    {
        const double floor = 0.62;
        var wall = new Rgb(230, 210, 174) * _scenery;
        double windowDistance = Math.Max(Math.Abs(x - 0.72) - 0.14, Math.Abs(y - 0.27) - 0.15);
        float t = (float)Math.Clamp((0.42 - y) / 0.3, 0, 1);
        var sky = _horizon.Lerp(_zenith, t);
        if (_scene.TimeOfDay == TimeOfDay.Night) sky = sky.Lerp(new Rgb(238, 236, 218), Inside(Dist(x - 0.78, y - 0.2) - 0.03, pixel));
        double bars = Math.Min(Math.Abs(x - 0.72), Math.Abs(y - 0.27)) - 0.008;
        var pane = sky.Lerp(new Rgb(248, 248, 242) * _scenery, Inside(bars, pixel));
        var color = wall.Lerp(new Rgb(248, 248, 242) * _scenery, Inside(windowDistance - 0.015, pixel));
        color = color.Lerp(pane, Inside(windowDistance, pixel));
        double pictureDistance = Math.Max(Math.Abs(x - 0.24) - 0.1, Math.Abs(y - 0.26) - 0.08);
        var painting = (y < 0.27 + 0.02 * Math.Sin(x * 40) ? new Rgb(120, 170, 220) : new Rgb(96, 150, 80)) * _scenery;
        color = color.Lerp(new Rgb(110, 70, 40) * _scenery, Inside(pictureDistance - 0.014, pixel));
        color = color.Lerp(painting, Inside(pictureDistance, pixel));
        var plank = new Rgb(164, 112, 64).Lerp(new Rgb(140, 92, 52), (float)SeededHash.Unit(_scene.Seed, 41, (long)Math.Floor((y - floor) / 0.055)));
        double seam = Math.Abs(((y - floor) / 0.055) % 1 - 0.5) - 0.44;
        plank = plank.Lerp(new Rgb(96, 62, 34), Inside(-seam * 0.055, pixel) * 0.7f);
        color = color.Lerp(new Rgb(246, 244, 236) * _scenery, Inside(floor - 0.02 - y, pixel));
        return color.Lerp(plank * _scenery, Inside(floor - y, pixel));
    }

    private static double Dist(double dx, double dy) => Math.Sqrt(dx * dx + dy * dy);
}
