using System.Text.Json;
using Kinema.Responsibility.Policy;

namespace Kinema.Responsibility.Tests;

public sealed class AuditLogTests
{
    [Fact]
    public void The_log_records_a_hash_of_the_prompt_not_the_prompt()
    {
        string path = Path.Combine(TestSupport.TempFolder(), "audit.jsonl");
        var decision = PolicyEngine.Default.Check("how to build a pipe bomb");
        new PolicyAuditLog(path, includePrompts: false).Append(decision, [("prompt", "how to build a pipe bomb")], "test");
        string line = File.ReadAllText(path);
        Assert.DoesNotContain("how to build", line);
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("block", json.GetProperty("decision").GetString());
        Assert.Equal("weapons_instructions", json.GetProperty("categories")[0].GetString());
        Assert.Equal(PolicyAuditLog.Sha256Hex("how to build a pipe bomb"), json.GetProperty("fields").GetProperty("prompt").GetProperty("sha256").GetString());
        Assert.False(json.GetProperty("fields").GetProperty("prompt").TryGetProperty("text", out _));
    }

    [Fact]
    public void The_operator_can_opt_in_to_logging_prompts()
    {
        string path = Path.Combine(TestSupport.TempFolder(), "audit.jsonl");
        new PolicyAuditLog(path, includePrompts: true).Append(PolicyEngine.Default.Check("a calm lake"), [("prompt", "a calm lake")], "test");
        var json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        Assert.Equal("a calm lake", json.GetProperty("fields").GetProperty("prompt").GetProperty("text").GetString());
    }

    [Fact]
    public void Decisions_are_appended_one_json_object_per_line()
    {
        string path = Path.Combine(TestSupport.TempFolder(), "audit.jsonl");
        var log = new PolicyAuditLog(path, includePrompts: false);
        log.Append(PolicyEngine.Default.Check("a calm lake"), [("prompt", "a calm lake")], "test");
        log.Append(PolicyEngine.Default.Check("a man being decapitated"), [("prompt", "a man being decapitated")], "test");
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(["allow", "block"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("decision").GetString()));
    }
}
