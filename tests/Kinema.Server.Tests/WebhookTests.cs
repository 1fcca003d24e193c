using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>video.completed / video.failed webhooks: signed the Standard Webhooks way, retried after a failure.</summary>
public sealed class WebhookTests : IDisposable
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(Key);
    private readonly TempFolder _data = new();
    private readonly Receiver _receiver = new(failFirst: 1);

    [Fact]
    public async Task Completed_job_is_delivered_signed_after_a_failed_first_attempt()
    {
        using var server = ServerProcess.Start(_data.Path, "--webhook", _receiver.Url, "--webhook-secret", Secret, "--webhook-retry-seconds", "1");
        using var client = server.Client();
        var video = await Videos.Create(client, "{\"prompt\": \"ping me\", \"size\": \"64x64\", \"seconds\": \"1\"}");

        var delivered = await _receiver.Accepted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, _receiver.Attempts);
        string expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes($"{delivered.Id}.{delivered.Timestamp}.{delivered.Body}")));
        Assert.Equal(expected, delivered.Signature);
        var payload = JsonDocument.Parse(delivered.Body).RootElement;
        Assert.Equal("video.completed", payload.GetProperty("type").GetString());
        Assert.Equal(delivered.Id, payload.GetProperty("id").GetString());
        Assert.Equal(video.Id(), payload.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("completed", payload.GetProperty("data").GetProperty("status").GetString());
    }

    public void Dispose()
    {
        _receiver.Dispose();
        _data.Dispose();
    }

    private sealed record Delivery(string Id, string Timestamp, string Signature, string Body);

    /// <summary>A loopback HTTP endpoint that answers 500 to the first <c>failFirst</c> posts and 200 after.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly int _failFirst;
        private int _attempts;

        public Receiver(int failFirst)
        {
            _failFirst = failFirst;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/hooks/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(Loop);
        }

        public string Url { get; }

        public int Attempts => Volatile.Read(ref _attempts);

        public TaskCompletionSource<Delivery> Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task Loop()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                string body = await reader.ReadToEndAsync();
                int attempt = Interlocked.Increment(ref _attempts);
                context.Response.StatusCode = attempt <= _failFirst ? 500 : 200;
                context.Response.Close();
                if (attempt > _failFirst)
                    Accepted.TrySetResult(new Delivery(context.Request.Headers["webhook-id"]!, context.Request.Headers["webhook-timestamp"]!, context.Request.Headers["webhook-signature"]!, body));
            }
        }

        public void Dispose() => _listener.Close();
    }
}
