using Kinema.Media;

namespace Kinema.Media.Tests;

public class AtomicWriteTests
{
    private static readonly byte[] Original = "previous video"u8.ToArray();

    public static TheoryData<string, bool> Targets => new()
    {
        { "out.mp4", true },   // MP4 through ffmpeg where present
        { "out.mp4", false },  // GIF fallback
        { "out.gif", true },   // GIF asked for
    };

    private static IEnumerable<RgbFrame> FramesThenWrongSize()
    {
        yield return Frames.ColourBars(32, 32);
        yield return Frames.ColourBars(32, 32, 4);
        yield return Frames.ColourBars(30, 32);
    }

    private static IEnumerable<RgbFrame> FramesThenThrow()
    {
        yield return Frames.ColourBars(32, 32);
        throw new InvalidOperationException("renderer crashed");
    }

    private static IDisposable FfmpegScope(bool useFfmpeg) =>
        useFfmpeg ? new NoScope() : Ffmpeg.OverrideForCurrentFlow("none");

    [Theory]
    [MemberData(nameof(Targets))]
    public void Wrong_frame_size_mid_write_leaves_no_temp_and_keeps_the_existing_file(string name, bool useFfmpeg)
    {
        using var folder = new TempFolder();
        string target = folder.File(name);
        File.WriteAllBytes(target, Original);

        using (FfmpegScope(useFfmpeg))
        {
            var error = Assert.Throws<ArgumentException>(() => VideoFile.Write(target, FramesThenWrongSize(), new VideoWriteOptions { Fps = 10 }));
            Assert.Contains("30x32", error.Message);
        }

        Assert.Equal([name], folder.FileNames());
        Assert.Equal(Original, File.ReadAllBytes(target));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Exception_from_the_frames_leaves_no_temp_and_keeps_the_existing_file(string name, bool useFfmpeg)
    {
        using var folder = new TempFolder();
        string target = folder.File(name);
        File.WriteAllBytes(target, Original);

        using (FfmpegScope(useFfmpeg))
        {
            var error = Assert.Throws<InvalidOperationException>(() => VideoFile.Write(target, FramesThenThrow(), new VideoWriteOptions { Fps = 10 }));
            Assert.Equal("renderer crashed", error.Message);
        }

        Assert.Equal([name], folder.FileNames());
        Assert.Equal(Original, File.ReadAllBytes(target));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Dispose_without_complete_deletes_the_temp_file(string name, bool useFfmpeg)
    {
        using var folder = new TempFolder();
        using (FfmpegScope(useFfmpeg))
        {
            using var writer = VideoWriter.Open(folder.File(name), 16, 16, new VideoWriteOptions { Fps = 10 });
            // ffmpeg creates its output only once it has frames to encode, so feed it until the temp file exists.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            do writer.Write(Frames.ColourBars(16, 16, writer.Width % 7));
            while (folder.FileNames().Length == 0 && DateTime.UtcNow < deadline && Sleep());
            Assert.NotEmpty(folder.FileNames());
        }

        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void A_failed_writer_refuses_further_frames()
    {
        using var folder = new TempFolder();
        using var _ = Ffmpeg.OverrideForCurrentFlow("none");
        using var writer = VideoWriter.Open(folder.File("x.gif"), 16, 16, new VideoWriteOptions { Fps = 10 });
        Assert.Throws<ArgumentException>(() => writer.Write(Frames.ColourBars(8, 8)));

        var error = Assert.Throws<InvalidOperationException>(() => writer.Write(Frames.ColourBars(16, 16)));
        Assert.Contains("aborted", error.Message);
    }

    private static bool Sleep()
    {
        Thread.Sleep(20);
        return true;
    }

    private sealed class NoScope : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
