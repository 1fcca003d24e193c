using Kinema.Media;
using Kinema.Responsibility.Watermark;

namespace Kinema.Responsibility.Tests;

public sealed class WatermarkTests
{
    private static readonly WatermarkKey Key = WatermarkKey.FromPassphrase("tests");
    private const ulong Payload = 0x0123456789ABCDEF;

    private static List<RgbFrame> Marked(int size = 128, int frames = 8) =>
        [.. WatermarkEmbedder.Embed(TestSupport.Frames(size, size, frames), Payload, Key)];

    [Fact]
    public void The_convolutional_code_corrects_scattered_errors()
    {
        var data = Enumerable.Range(0, 96).Select(i => i % 3 == 0 || i % 7 == 1).ToArray();
        double[] soft = [.. ConvolutionalCode.Encode(data).Select(b => b ? 1.0 : -1.0)];
        for (int i = 5; i < soft.Length; i += 17) soft[i] = -soft[i];
        Assert.Equal(data, ConvolutionalCode.Decode(soft, data.Length));
    }

    [Fact]
    public void The_payload_is_recovered_from_marked_frames()
    {
        var detection = WatermarkDetector.Detect(Marked(), Key);
        Assert.True(detection.Found);
        Assert.Equal(Payload, detection.Payload);
    }

    [Fact]
    public void The_payload_survives_h264_encoding()
    {
        string path = Path.Combine(TestSupport.TempFolder(), "marked.mp4");
        VideoFile.Write(path, Marked(), new VideoWriteOptions { Fps = 8, Crf = 23 });
        Assert.Equal(Payload, WatermarkDetector.Detect(VideoFile.Read(path).Frames, Key).Payload);
    }

    [Fact]
    public void The_payload_survives_cropping_at_an_unknown_offset()
    {
        var cropped = Marked(160).Select(f => Crop(f, 13, 21, 120, 112)).ToList();
        Assert.Equal(Payload, WatermarkDetector.Detect(cropped, Key).Payload);
    }

    [Fact]
    public void The_payload_survives_halving_the_size()
    {
        var halved = Marked(192).Select(Halve).ToList();
        var detection = WatermarkDetector.Detect(halved, Key);
        Assert.Equal(Payload, detection.Payload);
        Assert.Equal(0.5, detection.Scale);
    }

    [Fact]
    public void Unmarked_frames_give_no_payload()
    {
        var detection = WatermarkDetector.Detect(TestSupport.Frames(128, 128, 8), Key);
        Assert.False(detection.Found);
        Assert.Null(detection.Payload);
    }

    [Fact]
    public void Another_key_finds_nothing()
    {
        Assert.False(WatermarkDetector.Detect(Marked(), WatermarkKey.FromPassphrase("someone else")).Found);
    }

    [Fact]
    public void The_mark_costs_less_than_40_db_psnr()
    {
        var original = TestSupport.Frames(128, 128, 4);
        var marked = WatermarkEmbedder.Embed(original, Payload, Key).ToList();
        double sum = 0;
        long count = 0;
        for (int f = 0; f < original.Count; f++)
            for (int i = 0; i < original[f].Pixels.Length; i++)
            {
                double d = original[f].Pixels[i] - marked[f].Pixels[i];
                sum += d * d;
                count++;
            }
        Assert.True(10 * Math.Log10(255.0 * 255.0 / (sum / count)) >= 40);
    }

    [Fact]
    public void The_payload_is_derived_from_the_video_id()
    {
        Assert.Equal(WatermarkCodec.PayloadFor("vid_1"), WatermarkCodec.PayloadFor("vid_1"));
        Assert.NotEqual(WatermarkCodec.PayloadFor("vid_1"), WatermarkCodec.PayloadFor("vid_2"));
    }

    private static RgbFrame Crop(RgbFrame frame, int left, int top, int width, int height)
    {
        var output = new RgbFrame(width, height);
        for (int y = 0; y < height; y++)
            Array.Copy(frame.Pixels, ((top + y) * frame.Width + left) * 3, output.Pixels, y * width * 3, width * 3);
        return output;
    }

    private static RgbFrame Halve(RgbFrame frame)
    {
        var output = new RgbFrame(frame.Width / 2, frame.Height / 2);
        for (int y = 0; y < output.Height; y++)
            for (int x = 0; x < output.Width; x++)
                for (int c = 0; c < 3; c++)
                {
                    int sum = 0;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                            sum += frame.Pixels[((2 * y + dy) * frame.Width + 2 * x + dx) * 3 + c];
                    output.Pixels[(y * output.Width + x) * 3 + c] = (byte)((sum + 2) / 4);
                }
        return output;
    }
}
