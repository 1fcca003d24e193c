using System.Reflection;

namespace Kinema.Server.Studio;

/// <summary>The web studio: plain HTML, CSS and JS embedded in this assembly and served at /.</summary>
public static class StudioEndpoints
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Serve("index.html"));
        app.MapGet("/studio/{file}", (string file) => Serve(file));
    }

    private static IResult Serve(string file)
    {
        var assembly = typeof(StudioEndpoints).Assembly;
        if (!ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType)) return Results.NotFound();
        using var stream = assembly.GetManifestResourceStream($"studio/{file}");
        if (stream is null) return Results.NotFound();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Results.Bytes(buffer.ToArray(), contentType);
    }
}
