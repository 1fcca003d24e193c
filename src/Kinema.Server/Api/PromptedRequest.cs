using Kinema.Pipelines;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// What every generating endpoint reads first: the prompt and the generation fields, checked against the
/// content policy (prompt and negative prompt) before anything else happens, with the caller's character
/// names expanded. <see cref="Request"/> carries the expanded prompt; <see cref="Prompt"/> is the client's.
/// </summary>
public sealed record PromptedRequest(string Prompt, VideoRequest Request, string? ExpandedPrompt)
{
    /// <param name="defaultPrompt">The prompt when none is sent; null makes <c>prompt</c> required.</param>
    public static PromptedRequest Read(RequestFields fields, HttpContext context, ContentPolicy policy, CharacterStore characters,
        bool allowSize = true, bool allowSeconds = true, string? defaultPrompt = null, string? fpsRefusal = null)
    {
        string prompt = defaultPrompt is null
            ? fields.RequiredString("prompt", 1, GenerationFields.MaxPromptLength)
            : fields.String("prompt", 1, GenerationFields.MaxPromptLength) ?? defaultPrompt;
        var request = GenerationFields.Read(fields, prompt, allowSize, allowSeconds, fpsRefusal);
        policy.Check(context, ("prompt", prompt), ("negative_prompt", request.NegativePrompt));
        string? expanded = CharacterEndpoints.ExpandPrompt(characters, context, prompt);
        return new PromptedRequest(prompt, expanded is null ? request : request with { Prompt = expanded }, expanded);
    }
}
