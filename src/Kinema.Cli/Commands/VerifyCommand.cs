using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Kinema.Media;
using Kinema.Responsibility.C2pa;
using Kinema.Responsibility.Verification;
using Kinema.Responsibility.Watermark;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema verify FILE</c>: Content Credentials (present, valid, trusted), the watermark and its
/// payload, and optionally what a Kinema server knows about the id. Exit 0 when Kinema provenance is
/// confirmed, 1 when none is found, 2 on bad input.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Video or image to check (MP4, PNG, or anything ffmpeg decodes)" };
        var server = new Option<string?>("--server") { Description = "A Kinema server to ask about the id (GET URL/v1/provenance/ID)" };
        var trust = new Option<string[]>("--trust") { Description = "PEM root certificate(s) to trust (default: this operator's generated root)", AllowMultipleArgumentsPerToken = true };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for a server with API keys on (default: $KINEMA_API_KEY, else $OPENAI_API_KEY)" };
        var command = new Command("verify", "Check a file for Kinema provenance: Content Credentials and the invisible watermark") { file, server, trust, apiKey };
        command.SetAction(async (parse, cancellation) => await CliErrors.Guard(async () =>
        {
            string path = parse.GetValue(file)!;
            string folder = SigningKeyStore.DefaultFolder();
            var anchors = LoadAnchors(parse.GetValue(trust), folder);
            VerificationReport report;
            try
            {
                report = Verifier.Verify(path, WatermarkKey.Resolve(folder), anchors);
            }
            catch (MediaException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
            Print(report);
            string? key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("KINEMA_API_KEY") ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY");
            if (parse.GetValue(server) is { } url) await AskServer(url, key, report, cancellation);
            Console.WriteLine(report.ProvenanceConfirmed ? "result: Kinema provenance confirmed" : "result: no Kinema provenance found");
            return report.ProvenanceConfirmed ? ExitCodes.Success : ExitCodes.RuntimeFailure;
        }));
        return command;
    }

    private static List<X509Certificate2> LoadAnchors(string[]? paths, string folder)
    {
        var anchors = new List<X509Certificate2>();
        foreach (string p in paths ?? [])
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(p);
            anchors.AddRange(collection);
        }
        if (anchors.Count == 0 && SigningKeyStore.LoadGeneratedRoot(folder) is { } own) anchors.Add(own);
        return anchors;
    }

    private static void Print(VerificationReport report)
    {
        var c = report.Credentials;
        Console.WriteLine($"file: {report.Path}");
        if (!c.Present) Console.WriteLine("content credentials: none");
        else
        {
            Console.WriteLine($"content credentials: {(c.IsValid ? "present, valid" : "present, INVALID")} (signature {Ok(c.SignatureValid)}, assertions {Ok(c.AssertionsIntact)}, hard binding {Ok(c.HardBindingValid)})");
            Console.WriteLine($"  signer: {c.Signer} (issued by {c.Issuer}); trust: {(c.IsTrusted ? "chains to a trusted root" : "not on a trust list this machine knows (self-issued operator certificates are not publicly trusted)")}");
            Console.WriteLine($"  generator: {c.ClaimGenerator}; model: {c.Model}; created: {c.CreatedAt:O}");
            Console.WriteLine($"  id: {c.VideoId}; prompt sha256: {c.PromptSha256}; source type: {c.DigitalSourceType}");
            foreach (string problem in c.Problems) Console.WriteLine($"  problem: {problem}");
        }
        if (report.Watermark is { } w)
        {
            Console.WriteLine(w.Found
                ? $"watermark: present, payload {w.PayloadHex} (sync {w.SyncScore:F1} sigma, scale {w.Scale:0.##}, {w.FramesUsed} frames)"
                : w.SyncScore >= WatermarkDetection.ProbableSyncScore
                    ? $"watermark: its sync pattern is probably present ({w.SyncScore:F1} sigma over {w.FramesUsed} frames) but the payload could not be read"
                    : $"watermark: not found (best sync {w.SyncScore:F1} sigma over {w.FramesUsed} frames)");
            if (w.Found && c.WatermarkPayload is not null)
                Console.WriteLine(report.Consistent ? "  matches the payload named in the content credentials" : $"  DIFFERS from the payload in the content credentials ({c.WatermarkPayload})");
        }
        else if (report.WatermarkError is not null) Console.WriteLine($"watermark: not checked ({report.WatermarkError})");
    }

    private static string Ok(bool value) => value ? "ok" : "FAILED";

    private static async Task AskServer(string url, string? apiKey, VerificationReport report, CancellationToken cancellation)
    {
        string? id = report.Credentials.VideoId ?? (report.Watermark is { Found: true } w ? w.PayloadHex : null);
        if (id is null)
        {
            Console.WriteLine("server: nothing to ask about (no id or watermark payload found)");
            return;
        }
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        if (!string.IsNullOrWhiteSpace(apiKey))
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        string address = $"{url.TrimEnd('/')}/v1/provenance/{Uri.EscapeDataString(id)}";
        try
        {
            using var response = await client.GetAsync(address, cancellation);
            string body = await response.Content.ReadAsStringAsync(cancellation);
            Console.WriteLine($"server: {address} -> {(int)response.StatusCode} {response.ReasonPhrase}");
            if (body.Length > 0) Console.WriteLine(body.Length > 2000 ? body[..2000] + "..." : body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.WriteLine($"server: could not ask {address}: {e.Message}");
        }
    }
}
