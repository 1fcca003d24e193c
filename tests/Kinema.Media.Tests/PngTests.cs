using Kinema.Media;

namespace Kinema.Media.Tests;

public class PngTests
{
    [Fact]
    public void Png_round_trip_is_exact()
    {
        using var folder = new TempFolder();
        var frame = Frames.Noise(37, 23, seed: 1);
        ImageFile.WritePng(folder.File("noise.png"), frame);

        Assert.Equal(frame.Pixels, ImageFile.Read(folder.File("noise.png")).Pixels);
    }

    [Fact]
    public void Png_write_leaves_only_the_target()
    {
        using var folder = new TempFolder();
        ImageFile.WritePng(folder.File("a.png"), Frames.Gradient(16, 16));

        Assert.Equal(["a.png"], folder.FileNames());
    }

    [FfmpegFact]
    public void Ffmpeg_decodes_our_png_to_the_same_pixels()
    {
        using var folder = new TempFolder();
        var frame = Frames.Gradient(40, 30);
        ImageFile.WritePng(folder.File("g.png"), frame);

        var theirs = Kinema.Media.Internal.FfmpegDecoder.Decode(Ffmpeg.Locate()!, folder.File("g.png"), 40, 30, 1);
        Assert.Equal(frame.Pixels, theirs[0].Pixels);
    }

    // ffmpeg's PNG encoder uses every filter type ("-pred mixed"), exercising the reader's unfiltering;
    // ffmpeg's own decoding of the same file is the reference (pal8 conversion changes colours).
    [FfmpegTheory]
    [InlineData("rgb24")]
    [InlineData("rgba")]
    [InlineData("gray")]
    [InlineData("ya8")]
    [InlineData("pal8")]
    public void Reads_png_written_by_ffmpeg_in_other_pixel_formats(string pixelFormat)
    {
        using var folder = new TempFolder();
        string source = folder.File("source.png"), converted = folder.File("converted.png");
        ImageFile.WritePng(source, Frames.Gradient(24, 16));
        RunFfmpeg("-i", source, "-pix_fmt", pixelFormat, "-pred", "mixed", converted);

        var reference = Kinema.Media.Internal.FfmpegDecoder.Decode(Ffmpeg.Locate()!, converted, 24, 16, 1)[0];
        Assert.Equal(reference.Pixels, ImageFile.Read(converted).Pixels);
    }

    [Fact]
    public void Corrupt_png_names_the_file_and_the_problem()
    {
        using var folder = new TempFolder();
        string path = folder.File("broken.png");
        ImageFile.WritePng(path, Frames.Gradient(16, 16));
        byte[] bytes = File.ReadAllBytes(path);
        bytes[45] ^= 0xFF; // inside the IDAT data
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<MediaException>(() => ImageFile.Read(path));
        Assert.Contains("broken.png", error.Message);
        Assert.Contains("CRC", error.Message);
    }

    [Fact]
    public void Truncated_png_names_the_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("short.png");
        ImageFile.WritePng(path, Frames.Gradient(16, 16));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 20)]);

        var error = Assert.Throws<MediaException>(() => ImageFile.Read(path));
        Assert.Contains("short.png", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Missing_image_names_the_file()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<MediaException>(() => ImageFile.Read(folder.File("nowhere.png")));
        Assert.Contains("not found", error.Message);
        Assert.Contains("nowhere.png", error.Message);
    }

    [FfmpegFact]
    public void Jpeg_goes_through_ffmpeg_both_ways()
    {
        using var folder = new TempFolder();
        var frame = Frames.Gradient(32, 32);
        ImageFile.Write(folder.File("photo.jpg"), frame);

        var back = ImageFile.Read(folder.File("photo.jpg"));
        Assert.Equal((32, 32), (back.Width, back.Height));
        Assert.InRange(Frames.MeanAbsoluteError(frame, back), 0, 4.0);
    }

    private static void RunFfmpeg(params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(Ffmpeg.Locate()!) { RedirectStandardError = true };
        foreach (string argument in new[] { "-hide_banner", "-loglevel", "error", "-y" }.Concat(arguments)) info.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(info)!;
        string log = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, log);
    }
}
