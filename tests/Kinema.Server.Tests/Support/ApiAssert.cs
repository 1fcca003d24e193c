using System.Text.Json;

namespace Kinema.Server.Tests.Support;

public static class ApiAssert
{
    /// <summary>
    /// The response is OpenAI's error JSON with the given status (and param/code when given), and the
    /// server still answers afterwards.
    /// </summary>
    public static async Task<JsonElement> Error(HttpResponseMessage response, int status, ServerProcess server, string? param = null, string? code = null)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected HTTP {status}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), body);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out var actualParam), body);
        Assert.True(error.TryGetProperty("code", out var actualCode), body);
        if (param is not null) Assert.Equal(param, actualParam.GetString());
        if (code is not null) Assert.Equal(code, actualCode.GetString());
        await StillServing(server);
        return error;
    }

    public static async Task StillServing(ServerProcess server)
    {
        using var client = server.Client();
        var health = await client.GetAsync("/healthz");
        Assert.Equal(200, (int)health.StatusCode);
        Assert.False(server.HasExited);
    }
}
