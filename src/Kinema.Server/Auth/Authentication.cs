namespace Kinema.Server.Auth;

/// <summary>Checks the bearer key on /v1 requests and records whose request it is.</summary>
public static class Authentication
{
    private const string OwnerItem = "kinema.owner";

    public static string Owner(this HttpContext context) => context.Items[OwnerItem] as string ?? ApiKeys.Anonymous;

    public static async Task Middleware(HttpContext context, RequestDelegate next)
    {
        var keys = context.RequestServices.GetRequiredService<ApiKeys>();
        if (!keys.Enabled || !context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }
        string header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            await Api.ErrorResponses.Write(context, 401,
                "You didn't provide an API key. Send it in an Authorization header as 'Bearer YOUR_KEY'.", code: "missing_api_key");
            return;
        }
        string key = header[7..].Trim();
        if (keys.Find(key) is not { } owner)
        {
            await Api.ErrorResponses.Write(context, 401, $"Incorrect API key provided: {Redact(key)}.", code: "invalid_api_key");
            return;
        }
        context.Items[OwnerItem] = owner.Owner;
        using (context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kinema.Server.Auth").BeginScope("api key {ApiKey}", owner.Label))
            await next(context);
    }

    private static string Redact(string key) => key.Length <= 8 ? "****" : $"{key[..3]}****{key[^4..]}";
}
