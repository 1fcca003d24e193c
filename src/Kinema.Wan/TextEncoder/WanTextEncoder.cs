using Kinema.Wan.Tokenizer;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.TextEncoder;

/// <summary>
/// Prompt → Wan context: the umT5 tokenizer and encoder of a diffusers Wan folder (<c>tokenizer/</c>,
/// <c>text_encoder/</c>), used the way Wan's pipelines use them. Load one with
/// <see cref="Loading.WanModelFolder.LoadTextEncoder"/>.
/// </summary>
public sealed class WanTextEncoder : IDisposable
{
    public WanTextEncoder(UmT5Tokenizer tokenizer, UMT5EncoderModel model)
    {
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Model = model ?? throw new ArgumentNullException(nameof(model));
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} pieces but the encoder embeds only {model.Config.VocabSize}");
        Model.eval();
    }

    public UmT5Tokenizer Tokenizer { get; }

    public UMT5EncoderModel Model { get; }

    /// <summary>Text length of every context row set (512 for Wan).</summary>
    public int MaxLength { get; init; } = UmT5Tokenizer.WanMaxLength;

    /// <summary>Builds the encoder from <paramref name="folder"/>/config.json and loads its weights strictly.</summary>
    public static UMT5EncoderModel LoadEncoder(string folder, ScalarType dtype = ScalarType.BFloat16, Device? device = null)
    {
        var config = UMT5Config.Load(Path.Combine(folder, "config.json"));
        // Built directly in the target dtype: umT5-XXL is 22 GB in fp32 but 11 GB in bf16.
        var model = new UMT5EncoderModel(config, dtype);
        if (device is not null) model.to(device);
        using var source = ShardedSafeTensors.Open(folder);
        UMT5Weights.Load(model, source);
        return model;
    }

    /// <summary>
    /// Encodes prompts as Wan does: clean, tokenize to <see cref="MaxLength"/> with <c>&lt;/s&gt;</c>, run the encoder
    /// with the mask, then keep each prompt's real rows (its tokens and eos) and set every padded row to exactly zero.
    /// </summary>
    /// <returns>(B, MaxLength, d_model) in <paramref name="dtype"/> (default: the encoder's output dtype).</returns>
    public Tensor Encode(IReadOnlyList<string> prompts, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts to encode", nameof(prompts));
        var batch = Tokenizer.EncodeBatch(prompts, MaxLength);
        return Encode(batch, dtype);
    }

    /// <summary>Runs the encoder on an already tokenized batch and zeroes the rows beyond each prompt's length.</summary>
    public Tensor Encode(TokenBatch batch, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var device = Model.parameters().First().device;
        var ids = tensor(batch.Ids.SelectMany(r => r).ToArray(), new long[] { batch.Count, batch.Length }, device: device);
        var mask = tensor(batch.Mask.SelectMany(r => r).ToArray(), new long[] { batch.Count, batch.Length }, device: device);
        var hidden = Model.forward(ids, mask);                                       // (B, L, D)
        // Wan trims each output to its seq_len and the DiT pads back with zeros; doing both here gives the same rows.
        using var zero = 0.ToScalar();   // held (HeldScalars)
        var result = hidden.masked_fill(mask.eq(zero).unsqueeze(-1), zero);               // exact zeros, even if a padded row overflowed
        if (dtype is { } target && target != result.dtype) result = result.to(target);
        return result.MoveToOuterDisposeScope();
    }

    public void Dispose() => Model.Dispose();
}
