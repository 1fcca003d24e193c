using System.Text.Json;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>The web studio in headless Chromium: a person's path from prompt to a playing video.</summary>
public sealed class StudioTests : IDisposable
{
    private readonly TempFolder _data = new();

    private JsonElement Run(string scenario, string? screenshot = null)
    {
        using var server = ServerProcess.Start(_data.Path);
        var environment = new Dictionary<string, string>
        {
            ["KINEMA_STUDIO_URL"] = server.BaseUrl + "/",
            ["KINEMA_CHROMIUM"] = ChromiumFactAttribute.ChromiumPath,
            ["KINEMA_TEST_PNG"] = TestPng(),
        };
        if (screenshot is not null) environment["KINEMA_SCREENSHOT"] = screenshot;
        return Node.RunScenario("studio-scenarios.mjs", scenario, environment, timeoutSeconds: 150);
    }

    [ChromiumFact]
    public void Prompt_shows_live_progress_then_a_video_that_plays()
    {
        // The screenshot kept in docs/ is the one this test takes, refreshed when KINEMA_UPDATE_DOCS=1;
        // otherwise it goes to a temporary file so a test run never changes the checkout.
        string screenshot = Environment.GetEnvironmentVariable("KINEMA_UPDATE_DOCS") == "1"
            ? Path.Combine(Repo.Root, "docs", "studio.png")
            : Path.Combine(Path.GetTempPath(), $"kinema-studio-{Guid.NewGuid():N}.png");
        var result = Run("generate-and-play", screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or empty");
        Assert.Empty(result.GetProperty("pageErrors").EnumerateArray());
        var observed = result.GetProperty("observed").EnumerateArray().ToList();
        Assert.Contains(observed, o => o.GetProperty("status").GetString() == "in_progress" && o.GetProperty("progress").GetInt32() is > 0 and < 100);
        var video = result.GetProperty("video");
        Assert.True(video.GetProperty("error").ValueKind == JsonValueKind.Null, video.ToString());
        Assert.True(video.GetProperty("readyState").GetInt32() >= 2, video.ToString());
        Assert.True(video.GetProperty("currentTime").GetDouble() > 0, $"the video did not advance: {video}");
        Assert.Equal(256, video.GetProperty("videoWidth").GetInt32());
        Assert.Equal(4, video.GetProperty("duration").GetDouble(), 1);
        Assert.True(result.GetProperty("card").GetProperty("download").GetBoolean());
    }

    [ChromiumFact]
    public void Advanced_settings_take_the_models_ranges_and_reach_the_server()
    {
        var result = Run("advanced-settings");
        Assert.Empty(result.GetProperty("pageErrors").EnumerateArray());
        var sigma = result.GetProperty("fields").GetProperty("guidance-min-sigma");
        Assert.Equal("0", sigma.GetProperty("min").GetString());
        Assert.Equal("1", sigma.GetProperty("max").GetString());
        Assert.StartsWith("default ", sigma.GetProperty("placeholder").GetString());
        Assert.False(sigma.GetProperty("visible").GetBoolean(), "the advanced settings start folded away");
        Assert.True(result.GetProperty("overflow").GetProperty("rangeOverflow").GetBoolean());
        Assert.Equal(0, result.GetProperty("postsWhileInvalid").GetInt32());

        string post = result.GetProperty("post").GetString()!;
        Assert.Matches("name=\"steps\"\\s+2\\s", post);
        Assert.Matches("name=\"guidance_min_sigma\"\\s+0.5\\s", post);
        Assert.Matches("name=\"negative_prompt\"\\s+blurry\\s", post);
        Assert.Matches("name=\"sampler\"\\s+euler-a\\s", post);
        Assert.Matches("name=\"eta\"\\s+0.6\\s", post);
        Assert.Equal("1", result.GetProperty("fields").GetProperty("eta").GetProperty("max").GetString());
        var samplers = result.GetProperty("samplers").EnumerateArray().Select(o => o.GetProperty("value").GetString()!).ToArray();
        Assert.Equal(new[] { "", "euler", "dpm++2m", "euler-a" }, samplers);
        Assert.StartsWith("default (", result.GetProperty("samplers")[0].GetProperty("text").GetString());
        Assert.DoesNotContain("name=\"guidance\"", post);
        Assert.Equal("completed", result.GetProperty("status").GetString());
    }

    [ChromiumFact]
    public void A_seamless_loop_and_a_last_frame_reach_their_routes_and_a_loop_with_an_image_is_refused_on_the_page()
    {
        var result = Run("loop-and-last-frame");
        Assert.Empty(result.GetProperty("pageErrors").EnumerateArray());
        var refusal = result.GetProperty("refusal");
        Assert.Equal(0, refusal.GetProperty("posts").GetInt32());
        Assert.Contains("Seamless loop", refusal.GetProperty("error").GetString());
        Assert.Equal(new[] { "/v1/videos/loops", "/v1/videos" }, result.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(new[] { "last_frame_reference" }, result.GetProperty("lastFrameFields").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("completed", result.GetProperty("loop").GetProperty("status").GetString());
        Assert.Equal("2", result.GetProperty("loop").GetProperty("seconds").GetString());   // 16 frames: whole latent steps already
        Assert.Equal("completed", result.GetProperty("ending").GetProperty("status").GetString());
        Assert.Equal("image_to_video", result.GetProperty("ending").GetProperty("kind").GetString());
    }

    [ChromiumFact]
    public void A_first_frame_image_sets_the_size_until_it_is_removed()
    {
        var result = Run("frame-size");
        Assert.Empty(result.GetProperty("pageErrors").EnumerateArray());
        string defaultSize = result.GetProperty("before").GetProperty("value").GetString()!;
        Assert.NotEqual("96x64", defaultSize);
        Assert.False(result.GetProperty("before").GetProperty("fromFrameOffered").GetBoolean(), "offered before any frame image was chosen");
        Assert.Equal("", result.GetProperty("withFrame").GetProperty("value").GetString());
        Assert.Equal("Same as the frame image", result.GetProperty("withFrame").GetProperty("text").GetString());
        Assert.Equal("completed", result.GetProperty("video").GetProperty("status").GetString());
        Assert.Equal("96x64", result.GetProperty("video").GetProperty("size").GetString());   // the test image's size
        Assert.Equal(defaultSize, result.GetProperty("afterRemoval").GetProperty("value").GetString());
        Assert.False(result.GetProperty("afterRemoval").GetProperty("fromFrameOffered").GetBoolean(), "still offered after the image was removed");
    }

    private string TestPng()
    {
        string path = _data.File("frame.png");
        if (!File.Exists(path)) TestImages.WritePng(path, 96, 64);
        return path;
    }

    [ChromiumFact]
    public void Phone_width_fits_without_sideways_scrolling()
    {
        var layout = Run("phone-layout").GetProperty("layout");
        Assert.Equal(layout.GetProperty("viewport").GetInt32(), layout.GetProperty("scrollWidth").GetInt32());
        Assert.True(layout.GetProperty("generate").GetProperty("right").GetDouble() <= 390);
        Assert.True(layout.GetProperty("prompt").GetDouble() > 300);
    }

    public void Dispose() => _data.Dispose();
}
