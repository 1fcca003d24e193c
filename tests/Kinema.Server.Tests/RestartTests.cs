using System.Security.Cryptography;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>Jobs survive the process: a crash (SIGKILL) or a stop (SIGTERM) mid-generation loses nothing.</summary>
public sealed class RestartTests : IDisposable
{
    // Slow enough on the tiny model (a few seconds) to be caught mid-generation.
    private const string SlowJob = "{\"prompt\": \"a long slow one\", \"size\": \"256x256\", \"seconds\": \"4\", \"steps\": 30, \"seed\": 5}";
    private const string QuickJob = "{\"prompt\": \"a quick one\", \"size\": \"64x64\", \"seconds\": \"1\", \"seed\": 1}";
    private readonly TempFolder _data = new();

    [Fact]
    public async Task Killed_mid_generation_the_job_completes_after_restart_and_nothing_else_is_lost()
    {
        string doneId, slowId, queuedId;
        byte[] doneBytes;
        using (var first = ServerProcess.Start(_data.Path))
        using (var client = first.Client())
        {
            doneId = (await Videos.Create(client, QuickJob)).Id();
            Assert.Equal("completed", (await Videos.WaitFinished(client, doneId, TimeSpan.FromSeconds(60))).Status());
            doneBytes = await client.GetByteArrayAsync($"/v1/videos/{doneId}/content");
            slowId = (await Videos.Create(client, SlowJob)).Id();
            queuedId = (await Videos.Create(client, QuickJob)).Id();
            await Videos.WaitUntil(client, slowId, v => v.Status() == "in_progress" && v.GetProperty("progress").GetInt32() >= 10, TimeSpan.FromSeconds(60));
            first.Crash();
        }

        using var second = ServerProcess.Start(_data.Path);
        using var again = second.Client();
        Assert.Equal("completed", (await Videos.WaitFinished(again, slowId, TimeSpan.FromSeconds(120))).Status());
        Assert.Equal("completed", (await Videos.WaitFinished(again, queuedId, TimeSpan.FromSeconds(60))).Status());
        Assert.Equal(SHA256.HashData(doneBytes), SHA256.HashData(await again.GetByteArrayAsync($"/v1/videos/{doneId}/content")));
        Assert.Equal("video/mp4", (await again.GetAsync($"/v1/videos/{slowId}/content")).Content.Headers.ContentType?.MediaType);
        Assert.Contains("Re-queued 1 job(s)", second.Log);
    }

    [Fact]
    public async Task Sigterm_mid_generation_requeues_the_job_and_the_next_start_finishes_it()
    {
        string slowId;
        using (var first = ServerProcess.Start(_data.Path))
        using (var client = first.Client())
        {
            slowId = (await Videos.Create(client, SlowJob)).Id();
            await Videos.WaitUntil(client, slowId, v => v.Status() == "in_progress" && v.GetProperty("progress").GetInt32() >= 10, TimeSpan.FromSeconds(60));
            Assert.Equal(0, first.Terminate(TimeSpan.FromSeconds(30)));
            Assert.Contains("Re-queued job", first.Log);
        }

        using var second = ServerProcess.Start(_data.Path);
        using var again = second.Client();
        Assert.Equal("completed", (await Videos.WaitFinished(again, slowId, TimeSpan.FromSeconds(120))).Status());
    }

    public void Dispose() => _data.Dispose();
}
