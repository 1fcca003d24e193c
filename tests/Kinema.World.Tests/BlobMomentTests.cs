using Kinema.Media;

namespace Kinema.World.Tests;

/// <summary>
/// The three- and fourfold moments of <see cref="ColorBlobs"/> on shapes drawn pixel by pixel here. The expected values
/// were integrated independently (numpy, 16 million samples of the continuous shapes): an equilateral triangle 0.800
/// threefold and 0 fourfold, a square 0 and 0.600, a disc 0 and 0.
/// </summary>
public sealed class BlobMomentTests
{
    private const int Side = 96;
    private static readonly Rgb Red = new(220, 30, 30);

    private static Blob Measure(Func<double, double, bool> inside)
    {
        var frame = new RgbFrame(Side, Side);
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                if (inside(x - Side / 2 + 0.5, Side / 2 - 0.5 - y)) frame.SetPixel(x, y, 220, 30, 30);
        var blobs = new ColorBlobs(Side, Side).Find(frame, new RgbFrame(Side, Side), Red, 20, 28);
        return Assert.Single(blobs);
    }

    private static bool InTriangle(double x, double y, double angle, double radius = 30)
    {
        // Circumradius `radius` around the origin, one vertex at `angle`.
        var v = Enumerable.Range(0, 3).Select(k => (X: radius * Math.Cos(angle + k * 2 * Math.PI / 3), Y: radius * Math.Sin(angle + k * 2 * Math.PI / 3))).ToArray();
        double Side(int a, int b) => (x - v[b].X) * (v[a].Y - v[b].Y) - (v[a].X - v[b].X) * (y - v[b].Y);
        double d1 = Side(0, 1), d2 = Side(1, 2), d3 = Side(2, 0);
        return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
    }

    [Theory]
    [InlineData(Math.PI / 2, 30)]
    [InlineData(0.3, 30)]
    [InlineData(Math.PI / 2, 15)]
    public void A_triangle_has_the_threefold_moment_of_a_triangle_at_any_rotation_and_size(double angle, double radius)
    {
        var blob = Measure((x, y) => InTriangle(x, y, angle, radius));
        Assert.InRange(blob.Threefold, 0.75, 0.85);
        Assert.InRange(blob.Fourfold, 0, 0.05);
    }

    [Fact]
    public void A_square_has_the_fourfold_moment_of_a_square()
    {
        var blob = Measure((x, y) => Math.Abs(x) < 20 && Math.Abs(y) < 20);
        Assert.InRange(blob.Fourfold, 0.55, 0.65);
        Assert.InRange(blob.Threefold, 0, 0.05);
    }

    [Fact]
    public void A_disc_has_neither()
    {
        var blob = Measure((x, y) => x * x + y * y < 24 * 24);
        Assert.InRange(blob.Threefold, 0, 0.05);
        Assert.InRange(blob.Fourfold, 0, 0.05);
    }
}
