using System.CommandLine;
using Kinema.Responsibility.Policy;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema policy check "prompt"</c>: explains what the content policy decides and why.</summary>
public static class PolicyCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "The prompt to check" };
        var negative = new Option<string?>("--negative") { Description = "A negative prompt to check as well" };
        var policy = PolicyOption();
        var check = new Command("check", "Check a prompt against the content policy; exit 3 when it is blocked") { prompt, negative, policy };
        check.SetAction(parse => CliErrors.Guard(() =>
        {
            var document = PolicyDocument.Resolve(parse.GetValue(policy));
            (string, string?)[] fields = [("prompt", parse.GetValue(prompt)), ("negative_prompt", parse.GetValue(negative))];
            var decision = new PolicyEngine(document).Check(fields);
            PolicyGate.Audit(document, decision, fields, "cli:policy-check");
            Console.WriteLine(decision.Explain());
            return decision.IsBlocked ? ExitCodes.PolicyBlocked : ExitCodes.Success;
        }));
        return new Command("policy", "The operator's content policy") { check };
    }

    internal static Option<string?> PolicyOption() =>
        new("--policy") { Description = "Policy file (JSON; default: $KINEMA_POLICY, else the shipped policies/default.json)" };
}
