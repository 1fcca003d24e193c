using Kinema.Responsibility.Policy;

namespace Kinema.Cli.Commands;

/// <summary>Checks request text against the operator's policy, logs the decision, and explains a refusal.</summary>
internal static class PolicyGate
{
    /// <summary>Null when the request may go ahead; otherwise the exit code (policy blocked).</summary>
    public static int? Check(string? policyPath, string source, params (string Field, string? Text)[] fields)
    {
        var policy = PolicyDocument.Resolve(policyPath);
        var decision = new PolicyEngine(policy).Check(fields);
        Audit(policy, decision, fields, source);
        if (decision.Action == PolicyAction.Warn) Console.Error.WriteLine($"warning: {decision.Summary}");
        if (!decision.IsBlocked) return null;
        var match = decision.BlockingMatch!;
        Console.Error.WriteLine($"error: refused: the {match.Field.Replace('_', ' ')} falls under \"{match.CategoryName}\" [{match.CategoryId}], which the content policy '{policy.Name}' blocks ({match.Rule})");
        return ExitCodes.PolicyBlocked;
    }

    public static void Audit(PolicyDocument policy, PolicyDecision decision, (string Field, string? Text)[] fields, string source)
    {
        var log = PolicyAuditLog.ForPolicy(policy);
        try
        {
            log.Append(decision, fields, source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not write the policy audit log '{log.Path}': {e.Message}");
        }
    }
}
