using System.Net.Http.Headers;
using System.Text;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>Plain HTTP with bad input: each is a 4xx in OpenAI's error shape, and the server keeps serving.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class BadInputTests(SharedServer shared) : IDisposable
{
    private readonly HttpClient _client = shared.Server.Client(SharedServer.AliceKey);

    private Task<HttpResponseMessage> PostJson(string path, string json)
        => _client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Malformed_json_is_400_invalid_json()
    {
        var response = await PostJson("/v1/videos", "{\"prompt\": \"a ball\",");
        await ApiAssert.Error(response, 400, shared.Server, code: "invalid_json");
    }

    [Fact]
    public async Task Json_that_is_not_an_object_is_400()
    {
        await ApiAssert.Error(await PostJson("/v1/videos", "[\"a ball\"]"), 400, shared.Server, code: "invalid_json");
    }

    [Fact]
    public async Task Prompt_of_the_wrong_type_is_400_naming_prompt()
    {
        var error = await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": 42}"), 400, shared.Server, param: "prompt", code: "invalid_type");
        Assert.Contains("string", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Steps_of_the_wrong_type_is_400_naming_steps()
    {
        await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"steps\": \"many\"}"), 400, shared.Server, param: "steps", code: "invalid_type");
    }

    [Fact]
    public async Task Guidance_min_sigma_above_one_is_400_naming_it()
    {
        var error = await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"guidance_min_sigma\": 2}"), 400, shared.Server,
            param: "guidance_min_sigma", code: "unsupported_value");
        Assert.Contains("guidance min sigma must be between 0 (guide every step) and 1, got 2", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Guidance_min_sigma_is_accepted_as_a_kinema_extra()
    {
        var created = await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"size\": \"64x64\", \"seconds\": \"1\", \"guidance_min_sigma\": 0.5}");
        Assert.Equal(System.Net.HttpStatusCode.OK, created.StatusCode);
    }

    [Fact]
    public async Task Missing_prompt_is_400_naming_prompt()
    {
        await ApiAssert.Error(await PostJson("/v1/videos", "{\"size\": \"64x64\"}"), 400, shared.Server, param: "prompt", code: "missing_required_parameter");
    }

    [Fact]
    public async Task Unsupported_size_is_400_listing_what_is_allowed()
    {
        var error = await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"size\": \"1280x720\"}"), 400, shared.Server, param: "size", code: "unsupported_value");
        Assert.Contains("multiple of 16 between 32 and 256", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Size_that_is_not_WxH_is_400()
    {
        await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"size\": \"big\"}"), 400, shared.Server, param: "size", code: "invalid_size");
    }

    [Fact]
    public async Task Seconds_out_of_range_is_400_naming_the_limit()
    {
        var error = await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"seconds\": \"1000\"}"), 400, shared.Server, param: "seconds");
        Assert.Contains("at most 60", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unknown_model_is_400_naming_the_served_model()
    {
        var error = await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"model\": \"veo-3\"}"), 400, shared.Server, param: "model", code: "model_not_found");
        Assert.Contains("kinema-tiny-random-init", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unknown_parameter_is_400_naming_it()
    {
        await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"duration\": 4}"), 400, shared.Server, param: "duration", code: "unknown_parameter");
    }

    [Fact]
    public async Task Upload_larger_than_the_limit_is_413()
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("a ball"), "prompt" },
            { new ByteArrayContent(new byte[(int)(SharedServer.MaxUploadMb * 1024 * 1024) + 4096]), "input_reference", "huge.png" },
        };
        var response = await _client.PostAsync("/v1/videos", form);
        await ApiAssert.Error(response, 413, shared.Server, code: "request_too_large");
    }

    [Fact]
    public async Task Upload_that_is_not_an_image_is_400()
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("this is a text file, not a picture"));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var form = new MultipartFormDataContent { { new StringContent("a ball"), "prompt" }, { file, "input_reference", "fake.png" } };
        await ApiAssert.Error(await _client.PostAsync("/v1/videos", form), 400, shared.Server, param: "input_reference", code: "invalid_image_format");
    }

    [Fact]
    public async Task Image_that_claims_png_but_is_truncated_is_400()
    {
        byte[] png = await File.ReadAllBytesAsync(shared.TestPng);
        var form = new MultipartFormDataContent { { new StringContent("a ball"), "prompt" }, { new ByteArrayContent(png[..40]), "input_reference", "cut.png" } };
        await ApiAssert.Error(await _client.PostAsync("/v1/videos", form), 400, shared.Server, param: "input_reference", code: "invalid_image");
    }

    [Fact]
    public async Task Edit_with_an_upload_that_is_not_a_video_is_400()
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("night"), "prompt" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(shared.TestPng)), "video", "clip.mp4" },
        };
        await ApiAssert.Error(await _client.PostAsync("/v1/videos/edits", form), 400, shared.Server, param: "video", code: "invalid_video_format");
    }

    [Fact]
    public async Task Extension_of_a_video_faster_than_the_model_allows_is_400_naming_its_frame_rate()
    {
        string clip = Path.Combine(Path.GetTempPath(), $"kinema-60fps-{Guid.NewGuid():N}.mp4");
        try
        {
            var frames = Enumerable.Range(0, 12).Select(_ => new Kinema.Media.RgbFrame(64, 64)).ToList();
            Kinema.Media.VideoFile.Write(clip, frames, new Kinema.Media.VideoWriteOptions { Fps = 60 });
            var form = new MultipartFormDataContent
            {
                { new StringContent("the ball rolls on"), "prompt" },
                { new StringContent("1"), "seconds" },
                { new ByteArrayContent(await File.ReadAllBytesAsync(clip)), "video", "clip.mp4" },
            };
            var error = await ApiAssert.Error(await _client.PostAsync("/v1/videos/extensions", form), 400, shared.Server, param: "video", code: "unsupported_value");
            Assert.Contains("is 60 fps", error.GetProperty("message").GetString());
        }
        finally
        {
            File.Delete(clip);
        }
    }

    [Fact]
    public async Task File_id_input_reference_is_400_explaining_the_alternatives()
    {
        var error = await ApiAssert.Error(await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"input_reference\": {\"file_id\": \"file-123\"}}"), 400, shared.Server,
            code: "unsupported_parameter");
        Assert.Contains("image_url", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unknown_video_id_is_404()
    {
        await ApiAssert.Error(await _client.GetAsync("/v1/videos/video_00000000000000000000000000000000"), 404, shared.Server, code: "not_found");
    }

    [Fact]
    public async Task Malformed_video_id_is_404_not_a_server_error()
    {
        await ApiAssert.Error(await _client.GetAsync("/v1/videos/..%2F..%2Fetc/content"), 404, shared.Server);
    }

    [Fact]
    public async Task Remix_of_an_unknown_video_is_404()
    {
        await ApiAssert.Error(await PostJson("/v1/videos/video_00000000000000000000000000000000/remix", "{\"prompt\": \"x\"}"), 404, shared.Server);
    }

    [Fact]
    public async Task Unknown_character_is_404()
    {
        await ApiAssert.Error(await _client.GetAsync("/v1/videos/characters/char_00000000000000000000000000000000"), 404, shared.Server, code: "not_found");
    }

    [Fact]
    public async Task List_limit_over_100_is_400()
    {
        await ApiAssert.Error(await _client.GetAsync("/v1/videos?limit=101"), 400, shared.Server, param: "limit");
    }

    [Fact]
    public async Task Content_variant_that_does_not_exist_is_400()
    {
        var created = await PostJson("/v1/videos", "{\"prompt\": \"a ball\", \"size\": \"64x64\", \"seconds\": \"1\"}");
        string id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await ApiAssert.Error(await _client.GetAsync($"/v1/videos/{id}/content?variant=poster"), 400, shared.Server, param: "variant");
    }

    [Fact]
    public async Task Wrong_api_key_is_401_invalid_api_key()
    {
        using var stranger = shared.Server.Client("sk-wrong-wrong-wrong-wrong");
        await ApiAssert.Error(await stranger.GetAsync("/v1/videos"), 401, shared.Server, code: "invalid_api_key");
    }

    [Fact]
    public async Task Missing_api_key_is_401()
    {
        using var anonymous = shared.Server.Client();
        await ApiAssert.Error(await anonymous.GetAsync("/v1/videos"), 401, shared.Server, code: "missing_api_key");
    }

    [Fact]
    public async Task Unknown_v1_endpoint_is_404_in_error_json()
    {
        await ApiAssert.Error(await _client.GetAsync("/v1/images"), 404, shared.Server, code: "unknown_url");
    }

    public void Dispose() => _client.Dispose();
}
