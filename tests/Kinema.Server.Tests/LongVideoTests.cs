using Kinema.Media;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>Videos longer than twice the model's default duration, over HTTP: made window by window, as the CLI makes them.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class LongVideoTests(SharedServer shared) : IDisposable
{
    private readonly HttpClient _alice = shared.Server.Client(SharedServer.AliceKey);
    private readonly TempFolder _scratch = new();

    private const string Prompt = "a red ball bounces on green grass";

    private static string Generate(string output, params string[] extra)
    {
        CliProcess.Run([.. new[] { "generate", Prompt, "-m", TinyModel.Path, "--seconds", "3", "--size", "64x64", "--seed", "5", "-o", output }, .. extra]);
        return output;
    }

    [Fact]
    public async Task A_three_second_job_on_a_one_second_model_is_the_windowed_video_the_cli_makes()
    {
        var created = await Videos.Create(_alice, $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"seconds\": \"3\", \"seed\": 5}}");
        Assert.Equal("completed", (await Videos.WaitFinished(_alice, created.Id(), TimeSpan.FromSeconds(120))).Status());
        string served = _scratch.File("served.mp4");
        await File.WriteAllBytesAsync(served, await _alice.GetByteArrayAsync($"/v1/videos/{created.Id()}/content"));

        var api = VideoFile.Read(served).Frames;
        var windowed = VideoFile.Read(Generate(_scratch.File("windowed.mp4"))).Frames;
        var oneWindow = VideoFile.Read(Generate(_scratch.File("one-window.mp4"), "--window", "3")).Frames;
        Assert.Equal(24, api.Count);
        Assert.Equal(24, windowed.Count);
        // The outputs differ only by their watermarks (each carries its own id) and the encoder's rounding.
        double toWindowed = Frames.MeanDifference(api, windowed), toOneWindow = Frames.MeanDifference(api, oneWindow);
        Assert.True(toWindowed < toOneWindow / 3, $"mean difference to the CLI's windowed video {toWindowed:0.00}, to one window {toOneWindow:0.00}");
    }

    [Fact]
    public async Task An_extension_of_a_source_off_the_size_grid_keeps_the_source_untouched_at_its_size()
    {
        // 72x56 is off the tiny model's 16-pixel grid: the new second is made at 64x48 and scaled to the source's size.
        string source = _scratch.File("off-grid.mp4");
        var frames = Enumerable.Range(0, 9).Select(i =>
        {
            var frame = new RgbFrame(72, 56);
            for (int p = 0; p < frame.Pixels.Length; p++) frame.Pixels[p] = (byte)(i * 20 + p % 50);
            return frame;
        }).ToList();
        VideoFile.Write(source, frames, new VideoWriteOptions { Fps = 8 });
        var form = new MultipartFormDataContent
        {
            { new StringContent("the ball rolls on"), "prompt" },
            { new StringContent("1"), "seconds" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(source)), "video", "clip.mp4" },
        };
        var response = await _alice.PostAsync("/v1/videos/extensions", form);
        var created = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, created.ToString());
        Assert.Equal("72x56", created.GetProperty("size").GetString());
        Assert.Equal("completed", (await Videos.WaitFinished(_alice, created.Id(), TimeSpan.FromSeconds(120))).Status());
        string served = _scratch.File("extended.mp4");
        await File.WriteAllBytesAsync(served, await _alice.GetByteArrayAsync($"/v1/videos/{created.Id()}/content"));
        var extended = VideoFile.Read(served).Frames;
        Assert.Equal(9 + 8, extended.Count);
        Assert.All(extended, f => Assert.Equal((72, 56), (f.Width, f.Height)));
        // The source's frames come back as the source decoded them, apart from the watermark and the encoder's rounding.
        var decoded = VideoFile.Read(source).Frames;
        Assert.True(Frames.MeanDifference(decoded, extended.Take(9).ToList()) < 3, "the source's frames changed");
    }

    public void Dispose() => _scratch.Dispose();
}
