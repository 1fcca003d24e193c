using Kinema.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Wan.TextEncoder;

// umT5's encoder (transformers UMT5EncoderModel), the text encoder of every Wan model. It is T5 v1.1 with one
// change: every layer owns its relative-position bias table instead of sharing layer 0's. Field names are the
// checkpoint's key names, so state_dict() keys equal the file's (e.g. encoder.block.3.layer.0.SelfAttention.q.weight).
//
// Dtypes follow transformers when the weights are bf16/fp16: norms take statistics in fp32, `wo` stays fp32
// (UMT5's _keep_in_fp32_modules), so the FFN output and hence the residual stream are fp32 from the first block on.

/// <summary>T5's "layer norm": scale by the root mean square (no mean subtraction, no bias), statistics in fp32.</summary>
public sealed class UMT5LayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public UMT5LayerNorm(long dim, double eps, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5LayerNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(dim, dtype: dtype));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var variance = x.to(ScalarType.Float32).Squared().mean(new long[] { -1 }, keepdim: true);
        var normed = x * variance.Plus(_eps).rsqrt();                                  // promotes to fp32
        if (weight.dtype is ScalarType.BFloat16 or ScalarType.Float16) normed = normed.to(weight.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}

/// <summary>Bidirectional self-attention with a learned per-head bias per relative-distance bucket; no 1/√d scaling (T5).</summary>
public sealed class UMT5Attention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear q, k, v, o;
    private readonly Embedding relative_attention_bias;
    private readonly int _heads, _dkv;

    public UMT5Attention(UMT5Config c, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5Attention))
    {
        _heads = c.NumHeads;
        _dkv = c.DKv;
        q = nn.Linear(c.DModel, c.InnerDim, hasBias: false, dtype: dtype);
        k = nn.Linear(c.DModel, c.InnerDim, hasBias: false, dtype: dtype);
        v = nn.Linear(c.DModel, c.InnerDim, hasBias: false, dtype: dtype);
        o = nn.Linear(c.InnerDim, c.DModel, hasBias: false, dtype: dtype);
        relative_attention_bias = nn.Embedding(c.RelativeAttentionNumBuckets, c.NumHeads, dtype: dtype);
        RegisterComponents();
    }

    /// <param name="x">(B, L, D)</param>
    /// <param name="buckets">(L, L) int64 relative-position buckets (key minus query)</param>
    /// <param name="maskBias">(B, 1, 1, L) additive mask: 0 for real keys, finfo.min for padding</param>
    public override Tensor forward(Tensor x, Tensor buckets, Tensor maskBias)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1];
        var query = q.forward(x).view(b, l, _heads, _dkv).transpose(1, 2);          // (B, H, L, dk)
        var key = k.forward(x).view(b, l, _heads, _dkv).transpose(1, 2);
        var value = v.forward(x).view(b, l, _heads, _dkv).transpose(1, 2);
        var scores = query.matmul(key.transpose(-1, -2));                            // (B, H, L, L)
        var bias = relative_attention_bias.forward(buckets).permute(2, 0, 1).unsqueeze(0); // (1, H, L, L)
        scores = scores.Plus(bias.Plus(maskBias.to(bias.dtype)).to(scores.dtype));
        var weights = F.softmax(scores.to(ScalarType.Float32), -1).to(scores.dtype);
        var context = weights.matmul(value).transpose(1, 2).reshape(b, l, _heads * _dkv); // (B, L, H·dk)
        return o.forward(context).MoveToOuterDisposeScope();                         // (B, L, D)
    }
}

/// <summary>Pre-norm self-attention sub-layer: x + Attn(LN(x)).</summary>
public sealed class UMT5LayerSelfAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly UMT5Attention SelfAttention;
    private readonly UMT5LayerNorm layer_norm;

    public UMT5LayerSelfAttention(UMT5Config c, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5LayerSelfAttention))
    {
        SelfAttention = new UMT5Attention(c, dtype);
        layer_norm = new UMT5LayerNorm(c.DModel, c.LayerNormEpsilon, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor buckets, Tensor maskBias)
    {
        using var scope = NewDisposeScope();
        var attended = SelfAttention.forward(layer_norm.forward(x), buckets, maskBias);
        return x.Plus(attended).MoveToOuterDisposeScope();
    }
}

/// <summary>Gated-GELU FFN: wo( gelu_tanh(wi_0 x) ⊙ wi_1 x ); the product is cast to wo's dtype (fp32 when kept so).</summary>
public sealed class UMT5DenseGatedActDense : nn.Module<Tensor, Tensor>
{
    private readonly Linear wi_0, wi_1, wo;
    private readonly GELU.Approximate _approximate;

    public UMT5DenseGatedActDense(UMT5Config c, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5DenseGatedActDense))
    {
        wi_0 = nn.Linear(c.DModel, c.DFf, hasBias: false, dtype: dtype);
        wi_1 = nn.Linear(c.DModel, c.DFf, hasBias: false, dtype: dtype);
        // transformers keeps wo in fp32 when the model is loaded in half precision (_keep_in_fp32_modules).
        wo = nn.Linear(c.DFf, c.DModel, hasBias: false, dtype: IsHalf(dtype) ? ScalarType.Float32 : dtype);
        // gelu_new and gelu_pytorch_tanh are the tanh approximation; plain "gelu" is the erf form.
        _approximate = c.ActivationName == "gelu" ? GELU.Approximate.none : GELU.Approximate.tanh;
        RegisterComponents();
    }

    internal Linear Wo => wo;

    internal static bool IsHalf(ScalarType dtype) => dtype is ScalarType.BFloat16 or ScalarType.Float16;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = F.gelu(wi_0.forward(x), _approximate) * wi_1.forward(x);      // (B, L, F)
        if (hidden.dtype != wo.weight!.dtype) hidden = hidden.to(wo.weight.dtype);
        return wo.forward(hidden).MoveToOuterDisposeScope();                         // (B, L, D)
    }
}

/// <summary>Pre-norm FFN sub-layer: x + FFN(LN(x)).</summary>
public sealed class UMT5LayerFF : nn.Module<Tensor, Tensor>
{
    private readonly UMT5DenseGatedActDense DenseReluDense;
    private readonly UMT5LayerNorm layer_norm;

    public UMT5LayerFF(UMT5Config c, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5LayerFF))
    {
        DenseReluDense = new UMT5DenseGatedActDense(c, dtype);
        layer_norm = new UMT5LayerNorm(c.DModel, c.LayerNormEpsilon, dtype);
        RegisterComponents();
    }

    internal UMT5DenseGatedActDense Dense => DenseReluDense;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return x.Plus(DenseReluDense.forward(layer_norm.forward(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>One encoder block: layer.0 = self-attention, layer.1 = FFN (transformers' ModuleList layout).</summary>
public sealed class UMT5Block : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ModuleList<nn.Module> layer;

    public UMT5Block(UMT5Config c, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5Block))
    {
        layer = new ModuleList<nn.Module>(new UMT5LayerSelfAttention(c, dtype), new UMT5LayerFF(c, dtype));
        RegisterComponents();
    }

    internal UMT5LayerFF FeedForward => (UMT5LayerFF)layer[1];

    public override Tensor forward(Tensor x, Tensor buckets, Tensor maskBias)
    {
        using var scope = NewDisposeScope();
        x = ((UMT5LayerSelfAttention)layer[0]).forward(x, buckets, maskBias);
        x = ((UMT5LayerFF)layer[1]).forward(x);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>The encoder stack: blocks then the final RMS norm.</summary>
public sealed class UMT5Stack : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ModuleList<UMT5Block> block;
    private readonly UMT5LayerNorm final_layer_norm;

    public UMT5Stack(UMT5Config c, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5Stack))
    {
        block = new ModuleList<UMT5Block>(Enumerable.Range(0, c.NumLayers).Select(_ => new UMT5Block(c, dtype)).ToArray());
        final_layer_norm = new UMT5LayerNorm(c.DModel, c.LayerNormEpsilon, dtype);
        RegisterComponents();
    }

    internal IEnumerable<UMT5Block> Blocks => block;

    public override Tensor forward(Tensor embeddings, Tensor buckets, Tensor maskBias)
    {
        using var scope = NewDisposeScope();
        var x = embeddings;
        foreach (UMT5Block b in block) x = b.forward(x, buckets, maskBias);
        return final_layer_norm.forward(x).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// transformers' <c>UMT5EncoderModel</c>: token embedding <c>shared</c>, then <c>encoder</c>. Input ids and an
/// attention mask (B, L); output the last hidden state (B, L, d_model). Padded keys are masked out of attention,
/// but padded positions still get (meaningless) outputs — <see cref="WanTextEncoder"/> zeroes them as Wan does.
/// </summary>
public sealed class UMT5EncoderModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding shared;
    private readonly UMT5Stack encoder;

    public UMT5Config Config { get; }

    /// <param name="dtype">Dtype the weights are created in; in half precision every <c>wo</c> is still fp32, as in transformers.</param>
    public UMT5EncoderModel(UMT5Config config, ScalarType dtype = ScalarType.Float32) : base(nameof(UMT5EncoderModel))
    {
        config.Validate();
        Config = config;
        shared = nn.Embedding(config.VocabSize, config.DModel, dtype: dtype);
        encoder = new UMT5Stack(config, dtype);
        RegisterComponents();
    }

    /// <summary>
    /// Casts the weights to <paramref name="dtype"/>, keeping every FFN output projection (<c>wo</c>) in fp32 when
    /// <paramref name="dtype"/> is half precision, as transformers does for umT5.
    /// </summary>
    public UMT5EncoderModel ToWeightsDType(ScalarType dtype)
    {
        this.to(dtype);
        if (UMT5DenseGatedActDense.IsHalf(dtype))
        {
            foreach (UMT5Block b in encoder.Blocks) b.FeedForward.Dense.Wo.to(ScalarType.Float32);
        }
        return this;
    }

    /// <param name="inputIds">(B, L) int64 token ids</param>
    /// <param name="attentionMask">(B, L), 1 for real tokens and 0 for padding</param>
    /// <returns>(B, L, d_model)</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        long l = inputIds.shape[1];
        var embeddings = shared.forward(inputIds);                                   // (B, L, D)
        var buckets = RelativePositionBuckets(l, Config.RelativeAttentionNumBuckets, Config.RelativeAttentionMaxDistance, inputIds.device);
        // transformers' extended mask: (1 - mask) · finfo(dtype).min, in the weights' dtype.
        var dtype = embeddings.dtype;
        double min = dtype switch
        {
            ScalarType.BFloat16 => -3.3895313892515355e38,
            ScalarType.Float16 => -65504.0,
            ScalarType.Float64 => double.MinValue,
            _ => float.MinValue,
        };
        var maskBias = attentionMask.to(dtype).neg().Plus(1.0).Times(min).view(inputIds.shape[0], 1, 1, l); // (B, 1, 1, L)
        return encoder.forward(embeddings, buckets, maskBias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// T5's bidirectional relative-position buckets for a length-<paramref name="length"/> sequence, (L, L) int64 indexed
    /// [query, key]: half the buckets for keys after the query; within a half, exact distances below num_buckets/4,
    /// then logarithmic bins up to <paramref name="maxDistance"/>, beyond which everything shares the last bucket.
    /// </summary>
    public static Tensor RelativePositionBuckets(long length, int numBuckets, int maxDistance, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var context = HeldScalars.Range(length, ScalarType.Int64, device).unsqueeze(1);
        var memory = HeldScalars.Range(length, ScalarType.Int64, device).unsqueeze(0);
        var relative = memory - context;                                            // (L, L), key - query
        long half = numBuckets / 2;
        // Held Scalars throughout (HeldScalars): a temporary one may be finalized while libtorch reads it.
        using var zero = 0L.ToScalar();
        using var halfScalar = half.ToScalar();
        var buckets = relative.gt(zero).to(ScalarType.Int64).mul(halfScalar);
        var distance = relative.abs();
        long maxExact = half / 2;
        using var maxExactScalar = maxExact.ToScalar();
        var isSmall = distance.lt(maxExactScalar);
        // Same float32 arithmetic as transformers, so the truncation to long lands identically.
        using var logSpan = ((float)Math.Log((double)maxDistance / maxExact)).ToScalar();
        using var logBuckets = (half - maxExact).ToScalar();
        using var lastBucket = (half - 1).ToScalar();
        var logRatio = distance.to(ScalarType.Float32).div(maxExactScalar).log().div(logSpan).mul(logBuckets);
        var large = logRatio.to(ScalarType.Int64).Plus(maxExact).clamp_max(lastBucket);
        buckets = buckets.Plus(where(isSmall, distance, large));
        return buckets.MoveToOuterDisposeScope();
    }
}
