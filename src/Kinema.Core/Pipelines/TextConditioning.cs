using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>
/// Encoded prompt (and, when guided, negative prompt) as one batch: row 0 conditional, row 1
/// unconditional, so classifier-free guidance costs one transformer call per step, not two.
/// </summary>
public sealed class TextConditioning : IDisposable
{
    private TextConditioning(Tensor context, Tensor mask, bool guided)
    {
        Context = context;
        Mask = mask;
        Guided = guided;
    }

    /// <summary>(1 or 2, L, D) text encoder output.</summary>
    public Tensor Context { get; }
    /// <summary>(1 or 2, L) bool, true for real tokens.</summary>
    public Tensor Mask { get; }
    public bool Guided { get; }
    public int Batch => Guided ? 2 : 1;

    public static TextConditioning Encode(KinemaModel model, string prompt, string negativePrompt, bool guided)
    {
        var texts = guided ? new[] { prompt, negativePrompt } : new[] { prompt };
        var batch = model.Tokenizer.EncodeBatch(texts);
        using var scope = NewDisposeScope();
        var ids = tensor(batch.Ids.Cast<long>().ToArray(), new long[] { batch.Count, batch.Length }).to(model.Device);
        var mask = tensor(batch.Mask.Cast<bool>().ToArray(), new long[] { batch.Count, batch.Length }).to(model.Device);
        var context = model.TextEncoder.forward(ids, mask);
        return new TextConditioning(context.DetachFromDisposeScope(), mask.DetachFromDisposeScope(), guided);
    }

    public void Dispose()
    {
        Context.Dispose();
        Mask.Dispose();
    }
}
