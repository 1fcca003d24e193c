using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kinema.Media;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>The <c>sampler</c> extra over plain HTTP: published, honoured (the video's own settings say so), refused by name when unknown.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SamplerTests(SharedServer shared) : IDisposable
{
    private readonly HttpClient _alice = shared.Server.Client(SharedServer.AliceKey);
    private readonly TempFolder _scratch = new();

    private async Task<JsonElement> SettingsOfCompletedVideo(string id)
    {
        Assert.Equal("completed", (await Videos.WaitFinished(_alice, id, TimeSpan.FromSeconds(120))).Status());
        string path = _scratch.File($"{id}.mp4");
        await File.WriteAllBytesAsync(path, await _alice.GetByteArrayAsync($"/v1/videos/{id}/content"));
        using var settings = JsonDocument.Parse(VideoFile.Probe(path).Comment!);
        return settings.RootElement.Clone();
    }

    private async Task<string> SamplerOfCompletedVideo(string id)
        => (await SettingsOfCompletedVideo(id)).GetProperty("sampler").GetString()!;

    [Fact]
    public async Task A_sampler_given_is_the_one_the_video_is_made_with_and_a_remix_keeps_it()
    {
        var created = await Videos.Create(_alice, "{\"prompt\": \"a red ball\", \"size\": \"64x64\", \"seconds\": \"1\", \"seed\": 3, \"sampler\": \"euler-a\"}");
        Assert.Equal("euler-a", await SamplerOfCompletedVideo(created.Id()));

        var remix = await _alice.PostAsync($"/v1/videos/{created.Id()}/remix", new StringContent("{\"prompt\": \"a blue ball\"}", Encoding.UTF8, "application/json"));
        string body = await remix.Content.ReadAsStringAsync();
        Assert.True(remix.IsSuccessStatusCode, body);
        Assert.Equal("euler-a", await SamplerOfCompletedVideo(JsonDocument.Parse(body).RootElement.Id()));
    }

    [Fact]
    public async Task Without_a_sampler_the_model_default_is_used_and_published()
    {
        var model = (await _alice.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data")[0];
        var published = model.GetProperty("capabilities").GetProperty("sampler");
        Assert.Equal(["euler", "dpm++2m", "euler-a"], published.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).ToArray());
        string modelDefault = published.GetProperty("default").GetString()!;

        var created = await Videos.Create(_alice, "{\"prompt\": \"a red ball\", \"size\": \"64x64\", \"seconds\": \"1\", \"seed\": 3}");
        Assert.Equal(modelDefault, await SamplerOfCompletedVideo(created.Id()));
    }

    [Fact]
    public async Task An_unknown_sampler_is_400_naming_it_and_listing_the_allowed_ones()
    {
        var response = await _alice.PostAsync("/v1/videos", new StringContent("{\"prompt\": \"a ball\", \"sampler\": \"heun\"}", Encoding.UTF8, "application/json"));
        var error = await ApiAssert.Error(response, 400, shared.Server, param: "sampler", code: "unsupported_value");
        Assert.Contains("allowed: euler, dpm++2m, euler-a", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_eta_given_is_the_one_the_video_is_made_with_and_a_remix_keeps_it()
    {
        var created = await Videos.Create(_alice, "{\"prompt\": \"a red ball\", \"size\": \"64x64\", \"seconds\": \"1\", \"seed\": 3, \"sampler\": \"euler-a\", \"eta\": 0.7}");
        Assert.Equal(0.7, (await SettingsOfCompletedVideo(created.Id())).GetProperty("eta").GetDouble());

        var remix = await _alice.PostAsync($"/v1/videos/{created.Id()}/remix", new StringContent("{\"prompt\": \"a blue ball\"}", Encoding.UTF8, "application/json"));
        string body = await remix.Content.ReadAsStringAsync();
        Assert.True(remix.IsSuccessStatusCode, body);
        Assert.Equal(0.7, (await SettingsOfCompletedVideo(JsonDocument.Parse(body).RootElement.Id())).GetProperty("eta").GetDouble());
    }

    [Fact]
    public async Task The_eta_range_and_default_are_published()
    {
        var model = (await _alice.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data")[0];
        var eta = model.GetProperty("capabilities").GetProperty("eta");
        Assert.Equal(0, eta.GetProperty("min").GetDouble());
        Assert.Equal(1, eta.GetProperty("max").GetDouble());
        Assert.InRange(eta.GetProperty("default").GetDouble(), 0, 1);
        Assert.Equal("euler-a", eta.GetProperty("applies_to").GetString());
    }

    [Fact]
    public async Task An_eta_above_one_is_400_naming_it()
    {
        var response = await _alice.PostAsync("/v1/videos", new StringContent("{\"prompt\": \"a ball\", \"eta\": 2}", Encoding.UTF8, "application/json"));
        var error = await ApiAssert.Error(response, 400, shared.Server, param: "eta", code: "unsupported_value");
        Assert.Contains("eta must be between 0 (no fresh noise) and 1 (all fresh), got 2", error.GetProperty("message").GetString());
    }

    public void Dispose() => _scratch.Dispose();
}
