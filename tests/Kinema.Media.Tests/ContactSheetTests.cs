using Kinema.Media;
using Xunit;

namespace Kinema.Media.Tests;

public class ContactSheetTests
{
    private static RgbFrame Solid(byte value) => new(2, 2, Enumerable.Repeat(value, 12).ToArray());

    [Fact]
    public void Rows_PlaceFirstAndLastFramesOfEachVideoInTheirCells()
    {
        var a = new[] { Solid(10), Solid(20), Solid(30) };
        var b = new[] { Solid(40), Solid(50), Solid(60) };

        var sheet = ContactSheet.Rows([a, b], columns: 2);

        Assert.Equal((4, 4), (sheet.Width, sheet.Height));
        Assert.Equal(10, sheet.GetPixel(0, 0).R);
        Assert.Equal(30, sheet.GetPixel(3, 1).R);
        Assert.Equal(40, sheet.GetPixel(1, 2).R);
        Assert.Equal(60, sheet.GetPixel(2, 3).R);
    }

    [Fact]
    public void Rows_RejectFramesOfDifferentSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => ContactSheet.Rows([[Solid(1)], [new RgbFrame(3, 2)]], columns: 1));
        Assert.Contains("2x2", error.Message);
    }
}
