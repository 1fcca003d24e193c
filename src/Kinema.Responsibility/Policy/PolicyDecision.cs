using System.Text;

namespace Kinema.Responsibility.Policy;

/// <summary>One category that matched one field, and what in the text triggered it.</summary>
public sealed record PolicyMatch(string CategoryId, string CategoryName, PolicyAction Action, string Field, string Rule, string MatchedText);

/// <summary>
/// The outcome of checking a request: the strongest action of any match (block over warn over allow)
/// and every match, so a refusal can say exactly which category and which words caused it.
/// </summary>
public sealed record PolicyDecision(PolicyAction Action, IReadOnlyList<PolicyMatch> Matches, string PolicyName)
{
    public bool IsBlocked => Action == PolicyAction.Block;

    /// <summary>The first blocking category (the one a refusal names), or null.</summary>
    public PolicyMatch? BlockingMatch => Matches.FirstOrDefault(m => m.Action == PolicyAction.Block);

    public IEnumerable<string> Categories => Matches.Select(m => m.CategoryId).Distinct();

    /// <summary>A short user-facing sentence: "blocked by the content policy: Graphic gore".</summary>
    public string Summary => Action switch
    {
        PolicyAction.Block => $"blocked by the content policy ({PolicyName}): {string.Join(", ", Matches.Where(m => m.Action == PolicyAction.Block).Select(m => m.CategoryName).Distinct())}",
        PolicyAction.Warn => $"allowed with a warning ({PolicyName}): {string.Join(", ", Matches.Select(m => m.CategoryName).Distinct())}",
        _ => $"allowed by the content policy ({PolicyName})",
    };

    /// <summary>Multi-line explanation listing every match.</summary>
    public string Explain()
    {
        var text = new StringBuilder(Summary);
        foreach (var match in Matches)
            text.Append($"\n  - {match.Action.ToString().ToLowerInvariant()}: {match.CategoryName} [{match.CategoryId}] in {match.Field}: {match.Rule} (matched \"{match.MatchedText}\")");
        return text.ToString();
    }
}
