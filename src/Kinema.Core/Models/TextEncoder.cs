using Kinema.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Models;

/// <summary>Pre-norm transformer encoder layer; attention ignores padded keys.</summary>
public sealed class TextEncoderLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly Linear qkv, o;
    private readonly Sequential mlp;
    private readonly int _heads;

    public TextEncoderLayer(TextEncoderConfig c) : base(nameof(TextEncoderLayer))
    {
        int d = c.HiddenSize;
        _heads = c.Heads;
        norm1 = nn.LayerNorm(d);
        qkv = nn.Linear(d, 3L * d);
        o = nn.Linear(d, d);
        norm2 = nn.LayerNorm(d);
        mlp = nn.Sequential(("fc1", nn.Linear(d, (long)(d * c.MlpRatio))), ("act", nn.GELU(GELU.Approximate.tanh)), ("fc2", nn.Linear((long)(d * c.MlpRatio), d)));
        RegisterComponents();
    }

    /// <param name="x">(B, L, D)</param><param name="mask">(B, L) bool, true for real tokens</param>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1];
        var parts = qkv.forward(norm1.forward(x)).view(b, l, 3, _heads, -1).permute(2, 0, 3, 1, 4); // (3, B, H, L, Dh)
        var attended = F.scaled_dot_product_attention(parts[0], parts[1], parts[2], attn_mask: mask.view(b, 1, 1, l));
        x = x.Plus(o.forward(attended.transpose(1, 2).reshape(b, l, -1)));
        x = x.Plus(mlp.forward(norm2.forward(x)));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Token ids → contextual embeddings (B, L, D) for cross-attention. Learned absolute positions suffice:
/// prompts are short and never longer than <see cref="TextEncoderConfig.MaxLength"/>. Padded positions
/// are zeroed in the output.
/// </summary>
public sealed class TextEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding token_embedding;
    private readonly Parameter position_embedding;
    private readonly ModuleList<TextEncoderLayer> layers;
    private readonly LayerNorm final_norm;

    public TextEncoderConfig Config { get; }

    public TextEncoder(TextEncoderConfig config) : base(nameof(TextEncoder))
    {
        config.Validate();
        Config = config;
        token_embedding = nn.Embedding(config.VocabularySize, config.HiddenSize);
        position_embedding = nn.Parameter(zeros(config.MaxLength, config.HiddenSize));
        layers = new ModuleList<TextEncoderLayer>(Enumerable.Range(0, config.Depth).Select(_ => new TextEncoderLayer(config)).ToArray());
        final_norm = nn.LayerNorm(config.HiddenSize);
        RegisterComponents();
    }

    public void InitializeWeights()
    {
        using var noGrad = no_grad();
        // Unit-scale token embeddings: the residual stream must be dominated by which word sits where. At
        // 0.02 (GPT-2's scale), Adam's fixed-size steps on the shared biases outgrew the rarely updated
        // word vectors within a few hundred steps and every caption encoded to nearly the same output.
        nn.init.normal_(token_embedding.weight!, 0, 1.0);
        nn.init.normal_(position_embedding, 0, 0.02);
    }

    /// <param name="tokens">(B, L) int64 ids, L ≤ max length</param><param name="mask">(B, L) bool</param>
    public override Tensor forward(Tensor tokens, Tensor mask)
    {
        if (tokens.shape[1] > Config.MaxLength)
            throw new ArgumentException($"text has {tokens.shape[1]} tokens; the encoder takes at most {Config.MaxLength}");
        using var scope = NewDisposeScope();
        long l = tokens.shape[1];
        var x = token_embedding.forward(tokens).Plus(position_embedding.narrow(0, 0, l)); // (B, L, D)
        foreach (var layer in layers) x = layer.forward(x, mask);
        x = final_norm.forward(x) * mask.unsqueeze(-1).to(x.dtype);
        return x.MoveToOuterDisposeScope();
    }
}
