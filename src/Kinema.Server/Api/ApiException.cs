namespace Kinema.Server.Api;

/// <summary>
/// A request the server refuses, reported as OpenAI's error JSON
/// <c>{"error": {"message", "type", "param", "code"}}</c> with <see cref="StatusCode"/>.
/// </summary>
public sealed class ApiException(int statusCode, string message, string? param = null, string? code = null, string type = ApiException.InvalidRequest)
    : Exception(message)
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";

    public int StatusCode { get; } = statusCode;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    public string Type { get; } = type;

    public static ApiException BadRequest(string message, string? param = null, string code = "invalid_value") => new(400, message, param, code);

    public static ApiException NotFound(string what, string id) => new(404, $"{what} '{id}' was not found", null, "not_found");
}
