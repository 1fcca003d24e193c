namespace Kinema.World;

/// <summary>
/// Signed distance (negative inside) from a point to each shape, in units of the object's radius, with
/// x pointing where the character faces and y downwards. Exact or near-exact distances give analytic
/// anti-aliasing: coverage is the distance in pixels clamped around the edge.
/// </summary>
internal static class ShapeGeometry
{
    /// <summary>How far beyond the unit radius any pose of any shape can reach, for bounding boxes.</summary>
    public const float Reach = 1.3f;

    public static float Distance(ShapeKind shape, float x, float y, float gait) => shape switch
    {
        ShapeKind.Ball => MathF.Sqrt(x * x + y * y) - 1f,
        ShapeKind.Cube => RoundedSquare(x, y, 0.84f, 0.12f),
        ShapeKind.Pyramid => Triangle(x, y, 0f, -0.98f, 0.98f, 0.8f, -0.98f, 0.8f),
        ShapeKind.Star => Star5(x, -y, 1.08f, 0.45f),
        ShapeKind.Ring => MathF.Abs(MathF.Sqrt(x * x + y * y) - 0.74f) - 0.25f,
        ShapeKind.Person => Person(x, y, gait),
        ShapeKind.Bird => Bird(x, y, gait),
        _ => Fish(x, y, gait),
    };

    private static float Person(float x, float y, float gait)
    {
        float swing = 0.5f * MathF.Sin(gait);
        float d = MathF.Sqrt(x * x + (y + 0.68f) * (y + 0.68f)) - 0.29f;
        d = MathF.Min(d, Capsule(x, y, 0f, -0.45f, 0f, 0.2f, 0.21f));
        d = MathF.Min(d, Capsule(x, y, 0f, 0.18f, 0.42f * swing, 0.84f, 0.16f));
        d = MathF.Min(d, Capsule(x, y, 0f, 0.18f, -0.42f * swing, 0.84f, 0.16f));
        d = MathF.Min(d, Capsule(x, y, 0f, -0.36f, -0.45f * swing, 0.12f, 0.13f));
        return MathF.Min(d, Capsule(x, y, 0f, -0.36f, 0.45f * swing, 0.12f, 0.13f));
    }

    private static float Bird(float x, float y, float gait)
    {
        float d = Ellipse(x, y - 0.08f, 0.62f, 0.34f);
        d = MathF.Min(d, MathF.Sqrt((x - 0.55f) * (x - 0.55f) + (y + 0.18f) * (y + 0.18f)) - 0.25f);
        d = MathF.Min(d, Triangle(x, y, 0.72f, -0.28f, 1.02f, -0.12f, 0.72f, -0.06f));
        d = MathF.Min(d, Triangle(x, y, -0.45f, 0.02f, -1.02f, -0.22f, -1.0f, 0.3f));
        // The wing pivots at the shoulder: folded back when the bird is still, sweeping up and down in flight.
        float elevation = 1.15f * MathF.Sin(gait);
        float tipX = 0.02f - 0.78f * MathF.Cos(elevation), tipY = -0.02f - 0.78f * MathF.Sin(elevation);
        return MathF.Min(d, Capsule(x, y, 0.05f, -0.02f, tipX, tipY, 0.17f));
    }

    private static float Fish(float x, float y, float gait)
    {
        float d = Ellipse(x - 0.12f, y, 0.7f, 0.42f);
        float angle = 0.5f * MathF.Sin(gait);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        float tx = x + 0.5f, ty = y;
        float rx = cos * tx + sin * ty, ry = -sin * tx + cos * ty;
        d = MathF.Min(d, Triangle(rx, ry, 0.05f, 0f, -0.52f, -0.44f, -0.52f, 0.44f));
        return MathF.Min(d, Triangle(x, y, -0.2f, -0.3f, 0.3f, -0.36f, -0.28f, -0.62f));
    }

    private static float RoundedSquare(float x, float y, float half, float corner)
    {
        float qx = MathF.Abs(x) - (half - corner), qy = MathF.Abs(y) - (half - corner);
        float ox = MathF.Max(qx, 0f), oy = MathF.Max(qy, 0f);
        return MathF.Sqrt(ox * ox + oy * oy) + MathF.Min(MathF.Max(qx, qy), 0f) - corner;
    }

    private static float Capsule(float x, float y, float ax, float ay, float bx, float by, float radius)
    {
        float px = x - ax, py = y - ay, ex = bx - ax, ey = by - ay;
        float h = Math.Clamp((px * ex + py * ey) / (ex * ex + ey * ey), 0f, 1f);
        float dx = px - ex * h, dy = py - ey * h;
        return MathF.Sqrt(dx * dx + dy * dy) - radius;
    }

    /// <summary>Approximate ellipse distance (exact on the axes, close elsewhere): good enough for a one-pixel ramp.</summary>
    private static float Ellipse(float x, float y, float a, float b)
    {
        float k0 = MathF.Sqrt(x * x / (a * a) + y * y / (b * b));
        float k1 = MathF.Sqrt(x * x / (a * a * a * a) + y * y / (b * b * b * b));
        return k1 > 1e-6f ? k0 * (k0 - 1f) / k1 : -MathF.Min(a, b);
    }

    private static float Triangle(float px, float py, float x0, float y0, float x1, float y1, float x2, float y2)
    {
        float e0x = x1 - x0, e0y = y1 - y0, e1x = x2 - x1, e1y = y2 - y1, e2x = x0 - x2, e2y = y0 - y2;
        float v0x = px - x0, v0y = py - y0, v1x = px - x1, v1y = py - y1, v2x = px - x2, v2y = py - y2;
        float h0 = Math.Clamp((v0x * e0x + v0y * e0y) / (e0x * e0x + e0y * e0y), 0f, 1f);
        float h1 = Math.Clamp((v1x * e1x + v1y * e1y) / (e1x * e1x + e1y * e1y), 0f, 1f);
        float h2 = Math.Clamp((v2x * e2x + v2y * e2y) / (e2x * e2x + e2y * e2y), 0f, 1f);
        float q0x = v0x - e0x * h0, q0y = v0y - e0y * h0;
        float q1x = v1x - e1x * h1, q1y = v1y - e1y * h1;
        float q2x = v2x - e2x * h2, q2y = v2y - e2y * h2;
        float s = MathF.Sign(e0x * e2y - e0y * e2x);
        float d = MathF.Min(MathF.Min(q0x * q0x + q0y * q0y, q1x * q1x + q1y * q1y), q2x * q2x + q2y * q2y);
        float side = MathF.Min(MathF.Min(s * (v0x * e0y - v0y * e0x), s * (v1x * e1y - v1y * e1x)), s * (v2x * e2y - v2y * e2x));
        return -MathF.Sqrt(d) * MathF.Sign(side);
    }

    /// <summary>Five-pointed star with one point up (y up here), after Inigo Quilez's exact star distance.</summary>
    private static float Star5(float x, float y, float radius, float innerFraction)
    {
        const float k1x = 0.809016994375f, k1y = -0.587785252292f;
        const float k2x = -k1x, k2y = k1y;
        x = MathF.Abs(x);
        float dot1 = MathF.Max(k1x * x + k1y * y, 0f);
        x -= 2f * dot1 * k1x;
        y -= 2f * dot1 * k1y;
        float dot2 = MathF.Max(k2x * x + k2y * y, 0f);
        x -= 2f * dot2 * k2x;
        y -= 2f * dot2 * k2y;
        x = MathF.Abs(x);
        y -= radius;
        float bax = innerFraction * -k1y, bay = innerFraction * k1x - 1f;
        float h = Math.Clamp((x * bax + y * bay) / (bax * bax + bay * bay), 0f, radius);
        float dx = x - bax * h, dy = y - bay * h;
        return MathF.Sqrt(dx * dx + dy * dy) * MathF.Sign(y * bax - x * bay);
    }
}
