namespace Kinema.Server.Tests.Support;

/// <summary>
/// One server with two API keys and two workers, shared by the SDK and bad-input tests: starting a
/// server costs seconds, and sharing one also shows it keeps serving after every bad request.
/// </summary>
public sealed class SharedServer : IDisposable
{
    public const string AliceKey = "sk-kinema-alice-0123456789abcdef";
    public const string BobKey = "sk-kinema-bob-fedcba9876543210";
    /// <summary>Small, so the oversized-upload test need not send much.</summary>
    public const double MaxUploadMb = 1;

    private readonly TempFolder _folder = new();

    public SharedServer()
    {
        File.WriteAllText(_folder.File("keys.txt"), $"# test keys\nalice {AliceKey}\nbob {BobKey}\n");
        TestPng = _folder.File("first.png");
        TestImages.WritePng(TestPng, 80, 60);
        Server = ServerProcess.Start(_folder.Path, "--api-keys", _folder.File("keys.txt"), "--host", "127.0.0.1", "--workers", "2",
            "--max-upload-mb", MaxUploadMb.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public ServerProcess Server { get; }

    /// <summary>The server's --data folder (its policy audit log is in there too).</summary>
    public string DataFolder => _folder.Path;

    public string TestPng { get; }

    public Dictionary<string, string> NodeEnvironment() => new()
    {
        ["KINEMA_BASE_URL"] = Server.BaseUrl + "/v1",
        ["KINEMA_API_KEY"] = AliceKey,
        ["KINEMA_OTHER_KEY"] = BobKey,
        ["KINEMA_TEST_PNG"] = TestPng,
    };

    public void Dispose()
    {
        Server.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "shared server";
}
