using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kinema.Media;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>
/// #6's capabilities over HTTP beyond OpenAI's routes: loops, connections, storyboards, the last frame of an animation,
/// and remix as an edit of its source. Where the CLI makes the same thing, the served video is compared with the CLI's.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class CompositionTests(SharedServer shared) : IDisposable
{
    private readonly HttpClient _alice = shared.Server.Client(SharedServer.AliceKey);
    private readonly TempFolder _scratch = new();

    private const string Prompt = "a red ball bounces on green grass";

    private Task<HttpResponseMessage> PostJson(string path, string json)
        => _alice.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonElement> Accepted(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<List<RgbFrame>> Served(JsonElement created, string name)
    {
        var finished = await Videos.WaitFinished(_alice, created.Id(), TimeSpan.FromSeconds(120));
        Assert.True(finished.Status() == "completed", finished.ToString());
        string file = _scratch.File(name);
        await File.WriteAllBytesAsync(file, await _alice.GetByteArrayAsync($"/v1/videos/{created.Id()}/content"));
        return VideoFile.Read(file).Frames.ToList();
    }

    private List<RgbFrame> FromCli(string name, params string[] args)
    {
        string output = _scratch.File(name);
        CliProcess.Run([.. args, "-m", TinyModel.Path, "-o", output]);
        return VideoFile.Read(output).Frames.ToList();
    }

    /// <summary>
    /// The API's frames match the CLI's far more closely than the nearest wrong answer's (another seed, strength or
    /// pipeline): the two differ only by their watermarks and the encoder's rounding, which block means mostly remove.
    /// </summary>
    private static void AssertSameVideo(IReadOnlyList<RgbFrame> api, IReadOnlyList<RgbFrame> cli, IReadOnlyList<RgbFrame> control)
    {
        Assert.Equal(cli.Count, api.Count);
        double same = Frames.BlockMeanDifference(api, cli), other = Frames.BlockMeanDifference(api, control);
        Assert.True(same < other / 2, $"mean difference to the CLI's video {same:0.00}, to the control's {other:0.00}");
    }

    [Fact]
    public async Task A_loop_over_http_is_the_loop_the_cli_makes()
    {
        var created = await Accepted(await PostJson("/v1/videos/loops", $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"seconds\": \"2\", \"seed\": 5}}"));
        Assert.Equal("2", created.GetProperty("seconds").GetString());           // 16 frames at 8 fps: already whole latent steps
        var api = await Served(created, "loop.mp4");
        var cli = FromCli("cli-loop.mp4", "loop", Prompt, "--seconds", "2", "--size", "64x64", "--seed", "5");
        var other = FromCli("cli-loop-6.mp4", "loop", Prompt, "--seconds", "2", "--size", "64x64", "--seed", "6");
        AssertSameVideo(api, cli, other);
    }

    [Fact]
    public async Task A_loop_too_short_to_close_is_refused_before_it_is_queued()
    {
        var response = await PostJson("/v1/videos/loops", $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"seconds\": \"0.25\"}}");
        var error = await ApiAssert.Error(response, 400, shared.Server, param: "seconds");
        Assert.Contains("a loop needs at least", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_connection_keeps_both_videos_untouched_with_the_transition_between()
    {
        string first = Frames.WriteClip(_scratch.File("a.mp4"), 64, 64, 9);
        string second = Frames.WriteClip(_scratch.File("b.mp4"), 64, 64, 9, shade: 40);
        var form = new MultipartFormDataContent
        {
            { new StringContent("the ball rolls away"), "prompt" },
            { new StringContent("1"), "seconds" },
            { new StringContent("5"), "seed" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(first)), "first", "a.mp4" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(second)), "second", "b.mp4" },
        };
        var created = await Accepted(await _alice.PostAsync("/v1/videos/connections", form));
        Assert.Equal("3.125", created.GetProperty("seconds").GetString());       // 9 + 7 + 9 frames at 8 fps: the second starts 1 s after the first ends
        var served = await Served(created, "connected.mp4");
        Assert.Equal(25, served.Count);
        Assert.True(Frames.MeanDifference(VideoFile.Read(first).Frames, served.Take(9).ToList()) < 3, "the first video's frames changed");
        Assert.True(Frames.MeanDifference(VideoFile.Read(second).Frames, served.Skip(16).ToList()) < 3, "the second video's frames changed");
        var cli = FromCli("cli-connected.mp4", "connect", first, second, "--prompt", "the ball rolls away", "--seconds", "1", "--seed", "5");
        var other = FromCli("cli-connected-6.mp4", "connect", first, second, "--prompt", "the ball rolls away", "--seconds", "1", "--seed", "6");
        AssertSameVideo(served.Skip(9).Take(7).ToList(), cli.Skip(9).Take(7).ToList(), other.Skip(9).Take(7).ToList());
    }

    [Fact]
    public async Task A_connection_from_a_video_id_can_return_only_the_transition()
    {
        var source = await Videos.Create(_alice, "{\"prompt\": \"a blue cube\", \"size\": \"64x64\", \"seconds\": \"1\", \"seed\": 2}");
        Assert.Equal("completed", (await Videos.WaitFinished(_alice, source.Id(), TimeSpan.FromSeconds(90))).Status());
        string second = Frames.WriteClip(_scratch.File("b.mp4"), 64, 64, 9, shade: 40);
        var form = new MultipartFormDataContent
        {
            { new StringContent("1"), "seconds" },
            { new StringContent("true"), "transition_only" },
            { new StringContent(source.Id()), "first[id]" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(second)), "second", "b.mp4" },
        };
        var created = await Accepted(await _alice.PostAsync("/v1/videos/connections", form));
        Assert.Equal("a smooth transition", created.GetProperty("prompt").GetString());
        Assert.Equal(7, (await Served(created, "transition.mp4")).Count);
    }

    [Fact]
    public async Task A_connection_without_its_second_video_is_refused_naming_it()
    {
        string first = Frames.WriteClip(_scratch.File("a.mp4"), 64, 64, 9);
        var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(first)), "first", "a.mp4" } };
        await ApiAssert.Error(await _alice.PostAsync("/v1/videos/connections", form), 400, shared.Server, param: "second", code: "missing_required_parameter");
    }

    [Fact]
    public async Task A_storyboard_over_http_is_the_storyboard_the_cli_makes()
    {
        const string cards = "[{\"start\": 0, \"prompt\": \"a red ball bounces on green grass\"}, {\"start\": 1.5, \"prompt\": \"a blue cube slides on sand\"}]";
        var created = await Accepted(await PostJson("/v1/videos/storyboards", $"{{\"cards\": {cards}, \"seconds\": 3, \"size\": \"64x64\", \"seed\": 5}}"));
        Assert.Equal("3", created.GetProperty("seconds").GetString());
        var api = await Served(created, "storyboard.mp4");
        string board = _scratch.File("board.json");
        await File.WriteAllTextAsync(board, $"{{\"cards\": {cards}}}");
        var cli = FromCli("cli-storyboard.mp4", "storyboard", board, "--seconds", "3", "--size", "64x64", "--seed", "5");
        var other = FromCli("cli-storyboard-6.mp4", "storyboard", board, "--seconds", "3", "--size", "64x64", "--seed", "6");
        AssertSameVideo(api, cli, other);
    }

    [Fact]
    public async Task A_storyboard_runs_past_its_last_card_by_the_default_span_when_no_seconds_are_given()
    {
        var created = await Accepted(await PostJson("/v1/videos/storyboards",
            "{\"cards\": [{\"start\": 0, \"prompt\": \"a red ball\"}, {\"start\": 1, \"prompt\": \"a blue cube\"}], \"size\": \"64x64\", \"steps\": 2}"));
        Assert.Equal("5", created.GetProperty("seconds").GetString());
        Assert.Equal(40, (await Served(created, "default-span.mp4")).Count);
    }

    [Theory]
    [InlineData("[{\"start\": 0, \"prompt\": \"a\"}, {\"start\": 0, \"prompt\": \"b\"}]", "cards[1].start")]
    [InlineData("[{\"prompt\": \"a\"}]", "cards[0].start")]
    [InlineData("[{\"start\": 0, \"prompt\": \"\"}]", "cards[0].prompt")]
    [InlineData("[{\"start\": 0, \"prompt\": \"a\", \"colour\": \"red\"}]", "cards[0].colour")]
    [InlineData("[{\"start\": 1, \"prompt\": \"a\"}]", "cards")]
    [InlineData("[]", "cards")]
    public async Task A_storyboard_with_a_bad_card_is_refused_naming_the_card(string cards, string param)
        => await ApiAssert.Error(await PostJson("/v1/videos/storyboards", $"{{\"cards\": {cards}, \"size\": \"64x64\"}}"), 400, shared.Server, param: param);

    [Fact]
    public async Task A_storyboard_card_with_a_blocked_prompt_is_refused_naming_the_card()
    {
        var response = await PostJson("/v1/videos/storyboards",
            "{\"cards\": [{\"start\": 0, \"prompt\": \"a quiet town square\"}, {\"start\": 1, \"prompt\": \"a man being decapitated in the town square\"}], \"size\": \"64x64\"}");
        await ApiAssert.Error(response, 400, shared.Server, param: "cards[1].prompt", code: "moderation_blocked");
    }

    [Fact]
    public async Task A_last_frame_reference_makes_the_video_the_cli_animates_onto_that_image()
    {
        string png = _scratch.File("last.png");
        string dataUrl = TestImages.WritePngDataUrl(png, 96, 64);
        var created = await Videos.Create(_alice, $"{{\"prompt\": \"{Prompt}\", \"seconds\": \"1\", \"seed\": 5, \"last_frame_reference\": {{\"image_url\": \"{dataUrl}\"}}}}");
        Assert.Equal("96x64", created.GetProperty("size").GetString());        // the image's size, as input_reference gives
        var api = await Served(created, "onto-last.mp4");
        var cli = FromCli("cli-onto-last.mp4", "animate", "-", Prompt, "--last", png, "--seconds", "1", "--seed", "5");
        // The nearest wrong answer: the same prompt and seed with the image ignored.
        var textOnly = FromCli("cli-text-only.mp4", "generate", Prompt, "--size", "96x64", "--seconds", "1", "--seed", "5");
        AssertSameVideo(api, cli, textOnly);
    }

    [Fact]
    public async Task A_remix_is_the_cli_edit_of_its_source_under_the_new_prompt()
    {
        var source = await Videos.Create(_alice, $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"seconds\": \"1\", \"seed\": 3}}");
        await Served(source, "source.mp4");
        var remix = await Accepted(await PostJson($"/v1/videos/{source.Id()}/remix", "{\"prompt\": \"a blue cube slides on sand\", \"strength\": 0.5, \"seed\": 9}"));
        Assert.Equal(source.Id(), remix.GetProperty("remixed_from_video_id").GetString());
        var api = await Served(remix, "remix.mp4");
        string sourceFile = _scratch.File("source.mp4");
        var edit = FromCli("cli-edit.mp4", "edit", sourceFile, "a blue cube slides on sand", "--strength", "0.5", "--seed", "9");
        // The nearest wrong answers: the same edit with another seed, or at another strength.
        var otherSeed = FromCli("cli-edit-10.mp4", "edit", sourceFile, "a blue cube slides on sand", "--strength", "0.5", "--seed", "10");
        var otherStrength = FromCli("cli-edit-0.8.mp4", "edit", sourceFile, "a blue cube slides on sand", "--strength", "0.8", "--seed", "9");
        AssertSameVideo(api, edit, otherSeed);
        AssertSameVideo(api, edit, otherStrength);
    }

    [Fact]
    public async Task A_remix_with_a_strength_outside_0_to_1_is_refused()
    {
        // The strength is checked before the source is looked up.
        await ApiAssert.Error(await PostJson($"/v1/videos/video_{new string('0', 32)}/remix", "{\"prompt\": \"a cube\", \"strength\": 1.5}"), 400, shared.Server, param: "strength");
    }

    [Fact]
    public async Task Two_images_of_one_request_differ_in_their_pixels_not_only_their_watermarks()
    {
        var response = await Accepted(await PostJson("/v1/images/generations", $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"n\": 2, \"seed\": 4}}"));
        var images = response.GetProperty("data").EnumerateArray().Select((e, k) =>
        {
            string file = _scratch.File($"image-{k}.png");
            File.WriteAllBytes(file, Convert.FromBase64String(e.GetProperty("b64_json").GetString()!));
            return ImageFile.Read(file);
        }).ToList();
        Assert.Equal(2, images.Count);
        // The watermark moves pixels by a level or two; seeds 4 and 5 give different images.
        double difference = images[0].MeanAbsoluteDifference(images[1]);
        Assert.True(difference > 5, $"the two images differ by {difference:0.00} levels on average");
    }

    [Theory]
    [InlineData("/v1/videos/edits")]
    [InlineData("/v1/videos/extensions")]
    [InlineData("/v1/videos/connections")]
    public async Task A_frame_rate_where_the_source_sets_it_is_refused_naming_fps(string path)
    {
        var response = await PostJson(path, "{\"prompt\": \"a cube\", \"fps\": 12, \"seconds\": 1}");
        var error = await ApiAssert.Error(response, 400, shared.Server, param: "fps", code: "unsupported_parameter");
        Assert.Contains("source video's frame rate", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_frame_rate_for_an_image_is_refused_naming_fps()
    {
        var response = await PostJson("/v1/images/generations", $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"fps\": 12}}");
        var error = await ApiAssert.Error(response, 400, shared.Server, param: "fps", code: "unsupported_parameter");
        Assert.Contains("single frame", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task First_and_last_frames_with_no_room_between_them_are_refused_before_queueing()
    {
        string url = TestImages.WritePngDataUrl(_scratch.File("end.png"), 64, 64);
        var before = InputFolders();
        var response = await PostJson("/v1/videos", $"{{\"prompt\": \"a cube\", \"seconds\": \"0.125\", \"input_reference\": {{\"image_url\": \"{url}\"}}, \"last_frame_reference\": {{\"image_url\": \"{url}\"}}}}");
        var error = await ApiAssert.Error(response, 400, shared.Server, param: "seconds");
        Assert.Contains("a first and a last frame need at least", error.GetProperty("message").GetString());
        Assert.Empty(InputFolders().Except(before));   // both images were stored before the check; the refusal removed them
    }

    [Fact]
    public async Task A_storyboard_refused_at_its_second_image_keeps_none_of_its_inputs()
    {
        string url = TestImages.WritePngDataUrl(_scratch.File("card.png"), 64, 64);
        var before = InputFolders();
        var response = await PostJson("/v1/videos/storyboards",
            $"{{\"cards\": [{{\"start\": 0, \"prompt\": \"a cube\", \"image\": {{\"image_url\": \"{url}\"}}}}, {{\"start\": 1, \"prompt\": \"a ball\", \"image\": {{\"image_url\": \"data:image/png;base64,bm90IGFuIGltYWdl\"}}}}]}}");
        await ApiAssert.Error(response, 400, shared.Server, param: "cards[1].image");
        Assert.Empty(InputFolders().Except(before));
    }

    /// <summary>The jobs' stored inputs on the shared server (those of finished jobs are removed when their outputs are written).</summary>
    private HashSet<string> InputFolders()
    {
        string inputs = Path.Combine(shared.DataFolder, "inputs");
        return Directory.Exists(inputs) ? [.. Directory.GetDirectories(inputs)] : [];
    }

    [Fact]
    public async Task A_generated_image_carries_valid_content_credentials_and_its_id_answers_provenance()
    {
        var response = await Accepted(await PostJson("/v1/images/generations", $"{{\"prompt\": \"{Prompt}\", \"size\": \"64x64\", \"seed\": 4}}"));
        string file = _scratch.File("image.png");
        await File.WriteAllBytesAsync(file, Convert.FromBase64String(response.GetProperty("data")[0].GetProperty("b64_json").GetString()!));
        Assert.Equal((64, 64), (ImageFile.Read(file).Width, ImageFile.Read(file).Height));

        var root = Kinema.Responsibility.C2pa.SigningKeyStore.LoadGeneratedRoot(ServerProcess.SigningFolder);
        var report = Kinema.Responsibility.Verification.Verifier.Verify(file, Kinema.Responsibility.Watermark.WatermarkKey.Resolve(ServerProcess.SigningFolder), [root!]);
        Assert.True(report.Credentials.IsValid, string.Join("; ", report.Credentials.Problems));
        string id = report.Credentials.VideoId!;
        Assert.StartsWith("img_", id);
        var record = await _alice.GetFromJsonAsync<JsonElement>($"/v1/provenance/{id}");
        Assert.Equal("image", record.GetProperty("kind").GetString());
        Assert.Equal(report.Credentials.WatermarkPayload, record.GetProperty("watermark_payload").GetString());
        // An image is not a video: the video routes do not know its id.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _alice.GetAsync($"/v1/videos/{id}")).StatusCode);
    }

    public void Dispose() => _scratch.Dispose();
}
