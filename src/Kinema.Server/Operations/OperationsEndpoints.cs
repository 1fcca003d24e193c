using Kinema.Server.Jobs;

namespace Kinema.Server.Operations;

/// <summary>/healthz for load balancers and supervisors, /metrics for Prometheus.</summary>
public static class OperationsEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", (ServedModel model, RunningJobs running, ServerOptions options) => Results.Json(new
        {
            status = "ok",
            model = model.Name,
            workers = options.Workers,
            running = running.Count,
        }, ServerJson.Options));
        app.MapGet("/metrics", (ServerMetrics metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
    }

    /// <summary>Counts every answered request by method and status code for /metrics.</summary>
    public static async Task CountRequests(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestServices.GetRequiredService<ServerMetrics>().RecordRequest(context.Request.Method, context.Response.StatusCode);
        }
    }
}
