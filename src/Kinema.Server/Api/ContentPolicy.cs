using Kinema.Responsibility.Policy;
using Kinema.Server.Auth;

namespace Kinema.Server.Api;

/// <summary>
/// The content policy gate in front of every request that carries text the server will act on
/// (prompts, negative prompts, character names). Loaded once at startup (<c>--policy FILE</c>, else
/// <c>KINEMA_POLICY</c>, else the shipped default); each decision is appended to the policy audit log
/// with source "api" and the caller's key id (a hash of the key, never the key). A block is HTTP 400
/// <c>moderation_blocked</c> naming the category; a warning lets the request through and is logged.
/// </summary>
public sealed class ContentPolicy(PolicyEngine engine, PolicyAuditLog audit, ILogger<ContentPolicy> logger)
{
    public const string BlockedCode = "moderation_blocked";
    public const string AuditSource = "api";

    public PolicyDocument Policy => engine.Policy;

    public string AuditLogPath => audit.Path;

    /// <summary>The policy and its audit log from the options; a policy file that is missing or invalid, or an audit log that cannot be written, stops the server from starting.</summary>
    public static (PolicyEngine Engine, PolicyAuditLog Audit) Prepare(ServerOptions options)
    {
        var policy = PolicyDocument.Resolve(options.PolicyFile);
        var audit = PolicyAuditLog.ForPolicy(policy);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(audit.Path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using (new FileStream(audit.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { }
        return (new PolicyEngine(policy), audit);
    }

    /// <summary>
    /// Checks the named request fields (API parameter names) before any work is done; throws a 400
    /// <c>moderation_blocked</c> <see cref="ApiException"/> when the policy blocks one of them.
    /// </summary>
    public void Check(HttpContext context, params (string Field, string? Text)[] fields)
    {
        var decision = engine.Check(fields);
        string owner = context.Owner();
        try
        {
            audit.Append(decision, fields, AuditSource, keyId: owner.Length > 0 ? owner : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Refusals still refuse; an unwritable log must not turn every request into a 500.
            logger.LogError(e, "Could not append to the policy audit log {AuditLog}", audit.Path);
        }
        if (decision.IsBlocked)
        {
            var match = decision.BlockingMatch!;
            logger.LogWarning("Refused a request under the content policy: {Categories} in {Field}", string.Join(", ", decision.Categories), match.Field);
            // Category names and ids only: the matched words are never echoed back.
            throw new ApiException(400,
                $"Request {decision.Summary} [{match.CategoryId}] in '{match.Field}'.",
                match.Field, BlockedCode);
        }
        if (decision.Action == PolicyAction.Warn)
            logger.LogWarning("Accepted a request with a content policy warning: {Categories}", string.Join(", ", decision.Categories));
    }
}
