using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>expires_at is enforced: after it, downloads answer 410 and the files are deleted; the job object stays.</summary>
public sealed class ExpiryTests : IDisposable
{
    private readonly TempFolder _data = new();

    [Fact]
    public async Task Content_is_gone_after_expires_at()
    {
        using var server = ServerProcess.Start(_data.Path, "--retention", "2s");
        using var client = server.Client();
        var video = await Videos.Create(client, "{\"prompt\": \"short lived\", \"size\": \"64x64\", \"seconds\": \"1\"}");
        var done = await Videos.WaitFinished(client, video.Id(), TimeSpan.FromSeconds(60));
        Assert.Equal(200, (int)(await client.GetAsync($"/v1/videos/{video.Id()}/content")).StatusCode);
        Assert.Equal(done.GetProperty("completed_at").GetInt64() + 2, done.GetProperty("expires_at").GetInt64());

        string folder = Path.Combine(_data.Path, "videos", video.Id());
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Directory.Exists(folder) && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.False(Directory.Exists(folder), "expired video files were not deleted");
        await ApiAssert.Error(await client.GetAsync($"/v1/videos/{video.Id()}/content"), 410, server, code: "video_expired");
        Assert.Equal("completed", (await Videos.Get(client, video.Id())).Status());
    }

    public void Dispose() => _data.Dispose();
}
