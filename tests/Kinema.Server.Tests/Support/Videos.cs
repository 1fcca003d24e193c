using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Kinema.Server.Tests.Support;

/// <summary>Plain-HTTP helpers for tests that do not need the SDK.</summary>
public static class Videos
{
    public static async Task<JsonElement> Create(HttpClient client, string json)
    {
        var response = await client.PostAsync("/v1/videos", new StringContent(json, Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> Get(HttpClient client, string id)
        => (await client.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}"));

    public static async Task<JsonElement> WaitUntil(HttpClient client, string id, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var video = await Get(client, id);
            if (condition(video)) return video;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"video {id} never reached the expected state; last: {video}");
            await Task.Delay(100);
        }
    }

    public static Task<JsonElement> WaitFinished(HttpClient client, string id, TimeSpan timeout)
        => WaitUntil(client, id, v => v.GetProperty("status").GetString() is "completed" or "failed", timeout);

    public static string Id(this JsonElement video) => video.GetProperty("id").GetString()!;

    public static string Status(this JsonElement video) => video.GetProperty("status").GetString()!;
}
