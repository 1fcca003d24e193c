using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kinema.Server.Api;

/// <summary>Writes every failure as OpenAI's error JSON, so SDKs raise their typed errors with our message.</summary>
public static class ErrorResponses
{
    public static Task Write(HttpContext context, int statusCode, string message, string type = ApiException.InvalidRequest, string? param = null, string? code = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var body = new { error = new { message, type, param, code } };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, ServerJson.Options), context.RequestAborted);
    }

    /// <summary>Turns exceptions from handlers into error JSON; unexpected ones are logged and reported as 500 without internals.</summary>
    public static async Task Middleware(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await Write(context, e.StatusCode, e.Message, e.Type, e.Param, e.Code);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            string message = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the request body is larger than this server accepts ({FormatBytes(context.RequestServices.GetRequiredService<ServerOptions>().MaxUploadBytes)})"
                : e.Message;
            await Write(context, e.StatusCode, message, code: e.StatusCode == 413 ? "request_too_large" : "bad_request");
        }
        catch (InvalidDataException e) when (!context.Response.HasStarted && e.Message.Contains("Multipart body length limit", StringComparison.Ordinal))
        {
            await Write(context, 413, $"the upload is larger than this server accepts ({FormatBytes(context.RequestServices.GetRequiredService<ServerOptions>().MaxUploadBytes)})", code: "request_too_large");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kinema.Server.Errors")
                .LogError(e, "Unhandled error for {Method} {Path}", context.Request.Method, context.Request.Path);
            await Write(context, 500, "the server failed to process the request; details are in its log", ApiException.ServerError);
        }
    }

    public static string FormatBytes(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MiB" : $"{bytes / 1024.0:0.#} KiB";
}
