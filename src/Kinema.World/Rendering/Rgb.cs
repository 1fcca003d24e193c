namespace Kinema.World;

/// <summary>A linear-ish RGB colour with channels in 0..255 as floats, so tints and blends do not round at every step.</summary>
public readonly record struct Rgb(float R, float G, float B)
{
    public static Rgb operator *(Rgb c, float k) => new(c.R * k, c.G * k, c.B * k);
    public static Rgb operator *(Rgb a, Rgb tint) => new(a.R * tint.R, a.G * tint.G, a.B * tint.B);
    public static Rgb operator +(Rgb a, Rgb b) => new(a.R + b.R, a.G + b.G, a.B + b.B);

    public Rgb Lerp(Rgb to, float t) => new(R + (to.R - R) * t, G + (to.G - G) * t, B + (to.B - B) * t);

    public float DistanceTo(Rgb other)
    {
        float dr = R - other.R, dg = G - other.G, db = B - other.B;
        return MathF.Sqrt(dr * dr + dg * dg + db * db);
    }

    public float Luma => 0.299f * R + 0.587f * G + 0.114f * B;

    public static Rgb FromBytes(byte r, byte g, byte b) => new(r, g, b);
}
