using System.Net.Http.Json;
using System.Text.Json;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>Discovery, health and metrics on the shared server.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class OperationsTests(SharedServer shared) : IDisposable
{
    private readonly HttpClient _client = shared.Server.Client(SharedServer.AliceKey);

    [Fact]
    public async Task Models_list_publishes_the_allowed_sizes_and_durations()
    {
        var list = await _client.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal("list", list.GetProperty("object").GetString());
        var model = list.GetProperty("data")[0];
        Assert.Equal("kinema-tiny-random-init", model.GetProperty("id").GetString());
        var caps = model.GetProperty("capabilities");
        Assert.Equal(16, caps.GetProperty("size").GetProperty("multiple_of").GetInt32());
        Assert.Equal(256, caps.GetProperty("size").GetProperty("max_width").GetInt32());
        Assert.Equal(60, caps.GetProperty("seconds").GetProperty("max").GetDouble());
        Assert.Equal(1, caps.GetProperty("guidance_min_sigma").GetProperty("max").GetDouble());
        Assert.Equal(0, caps.GetProperty("guidance_min_sigma").GetProperty("default").GetDouble());
    }

    [Fact]
    public async Task Model_is_found_by_its_openai_alias()
    {
        var model = await _client.GetFromJsonAsync<JsonElement>("/v1/models/sora-2");
        Assert.Equal("kinema-tiny-random-init", model.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Healthz_answers_without_a_key()
    {
        using var anonymous = shared.Server.Client();
        var health = await anonymous.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_count_jobs_by_status_in_prometheus_text()
    {
        var video = await Videos.Create(_client, "{\"prompt\": \"count me\", \"size\": \"64x64\", \"seconds\": \"1\"}");
        await Videos.WaitFinished(_client, video.Id(), TimeSpan.FromSeconds(60));
        var response = await _client.GetAsync("/metrics");
        string text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.Matches(@"kinema_jobs\{kind=""video"",status=""completed""\} [1-9]", text);
        Assert.Contains("kinema_queue_length ", text);
        Assert.Matches(@"kinema_generation_seconds_count\{kind=""video""\} [1-9]", text);
    }

    [Fact]
    public async Task Metrics_count_images_apart_from_videos()
    {
        string[] series = ["kinema_jobs{kind=\"image\",status=\"completed\"}", "kinema_jobs_finished_total{kind=\"image\",outcome=\"completed\"}",
            "kinema_generation_seconds_count{kind=\"image\"}"];
        var before = Sample(await _client.GetStringAsync("/metrics"), series);
        var response = await _client.PostAsync("/v1/images/generations",
            new StringContent("{\"prompt\": \"count this image\", \"size\": \"64x64\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        // The worker counts a generation just after the store marks it done, so give the counters a moment.
        double[] after = before;
        for (int attempt = 0; attempt < 50 && after[2] == before[2]; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            after = Sample(await _client.GetStringAsync("/metrics"), series);
        }
        // Exactly one more: videos that other tests queued may finish meanwhile, and must not be counted here.
        Assert.Equal(before.Select(v => v + 1), after);
    }

    private static double[] Sample(string metrics, string[] series)
        => series.Select(name => double.Parse(metrics.Split('\n').Single(line => line.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..],
            System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public async Task Retrieve_carries_the_poll_after_header()
    {
        var video = await Videos.Create(_client, "{\"prompt\": \"poll me\", \"size\": \"64x64\", \"seconds\": \"1\"}");
        var response = await _client.GetAsync($"/v1/videos/{video.Id()}");
        Assert.Equal("1000", response.Headers.GetValues("openai-poll-after-ms").Single());
    }

    [Fact]
    public async Task Event_stream_ends_with_the_completed_video()
    {
        var video = await Videos.Create(_client, "{\"prompt\": \"stream me\", \"size\": \"64x64\", \"seconds\": \"1\"}");
        string stream = await _client.GetStringAsync($"/v1/videos/{video.Id()}/events");
        var last = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Last();
        Assert.StartsWith("event: video\ndata: ", last);
        Assert.Equal("completed", JsonDocument.Parse(last["event: video\ndata: ".Length..]).RootElement.GetProperty("status").GetString());
    }

    public void Dispose() => _client.Dispose();
}
