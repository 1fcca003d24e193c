using Kinema.Models;
using Kinema.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Wan.Transformer;

// The Wan DiT ("Wan: Open and Advanced Large-Scale Video Generative Models", 2025), written to match
// diffusers' WanTransformer3DModel parameter for parameter and operation for operation:
//   patchify with a Conv3d → 3D RoPE self-attention (q/k RMS-normalised over the whole width) →
//   cross-attention to the embedded text (no mask, no gate) → gelu-tanh FFN, the self-attention and
//   FFN residuals modulated by shift/scale/gate vectors = a learned table + a projection of the timestep
//   embedding → adaptive LayerNorm head → unpatchify.
// Field names are the checkpoint key names, so a diffusers `transformer/` folder loads strictly.
//
// Precision follows diffusers' `_keep_in_fp32_modules`: with bf16 weights, the time MLP, every
// `scale_shift_table` and the affine cross-attention norm stay fp32, norms and modulation arithmetic run in
// fp32, and the residual stream is rounded back to the weight dtype after each sub-layer.

/// <summary>Sinusoidal timestep features exactly as diffusers' <c>Timesteps(flip_sin_to_cos=True, downscale_freq_shift=0)</c>.</summary>
internal static class WanTimestepSinusoid
{
    /// <param name="timesteps">(N) timesteps, any numeric dtype.</param>
    /// <returns>(N, dim) float32, cosines first.</returns>
    public static Tensor Embed(Tensor timesteps, int dim)
    {
        using var scope = NewDisposeScope();
        int half = dim / 2;
        // Same operation order as the reference (−ln(10000)·i, then ÷ half, then exp) so fp32 rounding matches.
        var exponent = HeldScalars.Range(half, ScalarType.Float32, timesteps.device).Times(-Math.Log(10000.0));
        var frequencies = exponent.DividedBy(half).exp();
        var angles = timesteps.to(ScalarType.Float32).unsqueeze(-1) * frequencies.unsqueeze(0); // (N, half)
        return cat([angles.cos(), angles.sin()], -1).MoveToOuterDisposeScope();
    }
}

/// <summary>RMS normalisation with a gain, as <c>torch.nn.RMSNorm</c>: statistics in fp32, result in the input dtype.</summary>
public sealed class WanRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public WanRmsNorm(long dim, double eps, ScalarType dtype, Device? device) : base(nameof(WanRmsNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(dim, dtype: dtype, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        using var eps = _eps.ToScalar();
        using var one = 1.0.ToScalar();   // add(Scalar) alone would make its alpha a temporary Scalar
        var normed = x32 * x32.Squared().mean([-1], keepdim: true).add(eps, one).rsqrt();
        return (normed.to(x.dtype) * weight).to(x.dtype).MoveToOuterDisposeScope();
    }
}

/// <summary>Linear projection followed by tanh-approximated GELU (diffusers' <c>GELU</c> activation module, whose weights live in <c>proj</c>).</summary>
public sealed class WanGeluProjection : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public WanGeluProjection(long inFeatures, long outFeatures, ScalarType dtype, Device? device) : base(nameof(WanGeluProjection))
    {
        proj = nn.Linear(inFeatures, outFeatures, hasBias: true, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return F.gelu(proj.forward(x), approximate: GELU.Approximate.tanh).MoveToOuterDisposeScope();
    }
}

/// <summary>The block MLP: D → ffn_dim (gelu-tanh) → D. Keys <c>net.0.proj.*</c> and <c>net.2.*</c> (net.1 is a parameterless dropout).</summary>
public sealed class WanFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    public WanFeedForward(long dim, long ffnDim, ScalarType dtype, Device? device) : base(nameof(WanFeedForward))
    {
        net = new ModuleList<nn.Module<Tensor, Tensor>>(
            new WanGeluProjection(dim, ffnDim, dtype, device),
            nn.Dropout(0.0),
            nn.Linear(ffnDim, dim, hasBias: true, device: device, dtype: dtype));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = net[0].forward(x);                 // (B, L, ffn_dim)
        return net[2].forward(h).MoveToOuterDisposeScope(); // (B, L, D); net[1] is dropout, inactive at inference
    }
}

/// <summary>
/// Wan attention (diffusers' <c>WanAttention</c>): q, k, v projections with bias, RMSNorm on q and k over the
/// full width before splitting heads, optional 3D RoPE, SDPA with scale 1/√head_dim, output projection.
/// Used for both self-attention (context = the tokens themselves, with RoPE) and text cross-attention.
/// </summary>
public sealed class WanAttention : nn.Module
{
    private readonly Linear to_q, to_k, to_v;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;
    private readonly WanRmsNorm norm_q, norm_k;
    private readonly int _heads;

    public WanAttention(int dim, int heads, double eps, ScalarType dtype, Device? device) : base(nameof(WanAttention))
    {
        _heads = heads;
        to_q = nn.Linear(dim, dim, hasBias: true, device: device, dtype: dtype);
        to_k = nn.Linear(dim, dim, hasBias: true, device: device, dtype: dtype);
        to_v = nn.Linear(dim, dim, hasBias: true, device: device, dtype: dtype);
        // Index 1 is diffusers' (inactive) dropout; keeping the list shape keeps the key "to_out.0".
        to_out = new ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(dim, dim, hasBias: true, device: device, dtype: dtype), nn.Dropout(0.0));
        norm_q = new WanRmsNorm(dim, eps, dtype, device);
        norm_k = new WanRmsNorm(dim, eps, dtype, device);
        RegisterComponents();
    }

    /// <param name="x">(B, L, D) queries' source.</param>
    /// <param name="context">(B, Lc, D) keys'/values' source; null for self-attention.</param>
    /// <param name="rope">(L, head_dim/2) cos and sin tables; null for cross-attention.</param>
    /// <returns>(B, L, D)</returns>
    public Tensor Forward(Tensor x, Tensor? context, (Tensor Cos, Tensor Sin)? rope)
    {
        using var scope = NewDisposeScope();
        var source = context ?? x;
        var query = AttentionHeads.Split(norm_q.forward(to_q.forward(x)), _heads);     // (B, H, L, Dh)
        var key = AttentionHeads.Split(norm_k.forward(to_k.forward(source)), _heads);  // (B, H, Lc, Dh)
        var value = AttentionHeads.Split(to_v.forward(source), _heads);
        if (rope is var (cos, sin))
        {
            // Rotation in fp32, stored back in the activation dtype (diffusers rotates into empty_like(q)).
            query = Rope3D.Apply(query, cos, sin);
            key = Rope3D.Apply(key, cos, sin);
        }
        var attended = F.scaled_dot_product_attention(query, key, value);             // (B, H, L, Dh)
        return to_out[0].forward(AttentionHeads.Merge(attended)).MoveToOuterDisposeScope(); // (B, L, D)
    }
}

/// <summary>Timestep MLP (diffusers' <c>TimestepEmbedding</c>): Linear(freq_dim → D) → SiLU → Linear(D → D).</summary>
public sealed class WanTimestepMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1, linear_2;

    public WanTimestepMlp(int freqDim, int dim, Device? device) : base(nameof(WanTimestepMlp))
    {
        // Always fp32: diffusers keeps "time_embedder" out of low-precision casts.
        linear_1 = nn.Linear(freqDim, dim, hasBias: true, device: device, dtype: ScalarType.Float32);
        linear_2 = nn.Linear(dim, dim, hasBias: true, device: device, dtype: ScalarType.Float32);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return linear_2.forward(F.silu(linear_1.forward(x.to(linear_1.weight.dtype)))).MoveToOuterDisposeScope();
    }
}

/// <summary>Text MLP (diffusers' <c>PixArtAlphaTextProjection</c> with gelu_tanh): Linear(text_dim → D) → GELU(tanh) → Linear(D → D).</summary>
public sealed class WanTextProjection : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1, linear_2;

    public WanTextProjection(int textDim, int dim, ScalarType dtype, Device? device) : base(nameof(WanTextProjection))
    {
        linear_1 = nn.Linear(textDim, dim, hasBias: true, device: device, dtype: dtype);
        linear_2 = nn.Linear(dim, dim, hasBias: true, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return linear_2.forward(F.gelu(linear_1.forward(x), approximate: GELU.Approximate.tanh)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The condition embedder (diffusers' <c>WanTimeTextImageEmbedding</c>, without the I2V image branch):
/// timesteps → sinusoid → time MLP = temb; SiLU(temb) → Linear(D → 6D) = the per-block modulation input;
/// text → text MLP.
/// </summary>
public sealed class WanConditionEmbedder : nn.Module
{
    private readonly WanTimestepMlp time_embedder;
    private readonly Linear time_proj;
    private readonly WanTextProjection text_embedder;
    private readonly int _freqDim;

    public WanConditionEmbedder(WanTransformerConfig config, ScalarType dtype, Device? device) : base(nameof(WanConditionEmbedder))
    {
        int dim = config.InnerDim;
        _freqDim = config.FreqDim;
        time_embedder = new WanTimestepMlp(config.FreqDim, dim, device);
        time_proj = nn.Linear(dim, 6L * dim, hasBias: true, device: device, dtype: dtype);
        text_embedder = new WanTextProjection(config.TextDim, dim, dtype, device);
        RegisterComponents();
    }

    /// <summary>Converts the layers that run in the compute dtype (not the fp32 time MLP) to <paramref name="dtype"/>.</summary>
    internal void ConvertMatmulWeights(ScalarType dtype)
    {
        using var noGrad = no_grad();
        time_proj.to(dtype);
        text_embedder.to(dtype);
    }

    /// <param name="timesteps">(B) or (B, L) timesteps.</param>
    /// <param name="context">(B, Lt, text_dim) text encoder states, already in the compute dtype.</param>
    /// <returns>temb (B, D) or (B, L, D); projection (B, 6D) or (B, L, 6D); text (B, Lt, D) — all in the compute dtype.</returns>
    public (Tensor Temb, Tensor Projection, Tensor Text) Forward(Tensor timesteps, Tensor context)
    {
        using var scope = NewDisposeScope();
        var sinusoid = WanTimestepSinusoid.Embed(timesteps.flatten(), _freqDim);       // (B·L, freq_dim) fp32
        if (timesteps.dim() == 2) sinusoid = sinusoid.unflatten(0, timesteps.shape);   // (B, L, freq_dim)
        // diffusers: temb = time_embedder(...).type_as(encoder_hidden_states), i.e. rounded to the compute dtype.
        var temb = time_embedder.forward(sinusoid).to(context.dtype);
        var projection = time_proj.forward(F.silu(temb));
        var text = text_embedder.forward(context);
        return (temb.MoveToOuterDisposeScope(), projection.MoveToOuterDisposeScope(), text.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// One Wan block: modulated self-attention with RoPE, cross-attention to text through an affine norm,
/// modulated FFN. diffusers names the norms norm1 (self-attn, no affine), norm2 (cross-attn, affine),
/// norm3 (FFN, no affine) — the original Wan code calls the affine one norm3.
/// </summary>
public sealed class WanTransformerBlock : nn.Module
{
    private readonly LayerNorm norm1;
    private readonly WanAttention attn1;
    private readonly nn.Module<Tensor, Tensor> norm2;
    private readonly WanAttention attn2;
    private readonly WanFeedForward ffn;
    private readonly LayerNorm norm3;
    private readonly Parameter scale_shift_table;

    public WanTransformerBlock(WanTransformerConfig config, ScalarType dtype, Device? device) : base(nameof(WanTransformerBlock))
    {
        int dim = config.InnerDim;
        // LayerNorms compute in fp32 (diffusers' FP32LayerNorm), so their parameters are fp32.
        norm1 = nn.LayerNorm(dim, config.Eps, elementwise_affine: false, device: device, dtype: ScalarType.Float32);
        attn1 = new WanAttention(dim, config.NumAttentionHeads, config.Eps, dtype, device);
        norm2 = config.CrossAttnNorm
            ? nn.LayerNorm(dim, config.Eps, elementwise_affine: true, device: device, dtype: ScalarType.Float32)
            : nn.Identity();
        attn2 = new WanAttention(dim, config.NumAttentionHeads, config.Eps, dtype, device);
        ffn = new WanFeedForward(dim, config.FfnDim, dtype, device);
        norm3 = nn.LayerNorm(dim, config.Eps, elementwise_affine: false, device: device, dtype: ScalarType.Float32);
        scale_shift_table = nn.Parameter(zeros(new long[] { 1, 6, dim }, dtype: ScalarType.Float32, device: device));
        RegisterComponents();
    }

    /// <summary>Converts the attention and feed-forward weights (not the fp32 norms and table) to <paramref name="dtype"/>.</summary>
    internal void ConvertMatmulWeights(ScalarType dtype)
    {
        using var noGrad = no_grad();
        attn1.to(dtype);
        attn2.to(dtype);
        ffn.to(dtype);
    }

    /// <param name="x">(B, L, D) token stream in the compute dtype.</param>
    /// <param name="text">(B, Lt, D) embedded text.</param>
    /// <param name="modulation">(B, 6, D), or (B, L, 6, D) for per-token timesteps: the time projection.</param>
    /// <param name="rope">(L, head_dim/2) cos/sin tables.</param>
    public Tensor Forward(Tensor x, Tensor text, Tensor modulation, (Tensor Cos, Tensor Sin) rope)
    {
        using var scope = NewDisposeScope();
        var dtype = x.dtype;
        // Six (B, 1, D) or (B, L, D) vectors: shift/scale/gate for self-attention, then for the FFN.
        Tensor[] m = modulation.dim() == 4
            ? scale_shift_table.unsqueeze(0).Plus(modulation.to(ScalarType.Float32)).unbind(2)
            : scale_shift_table.Plus(modulation.to(ScalarType.Float32)).unbind(1).Select(v => v.unsqueeze(1)).ToArray();
        var (shiftAttn, scaleAttn, gateAttn, shiftFfn, scaleFfn, gateFfn) = (m[0], m[1], m[2], m[3], m[4], m[5]);

        var normed = (norm1.forward(x.to(ScalarType.Float32)) * scaleAttn.Plus(1)).Plus(shiftAttn).to(dtype);
        var attended = attn1.Forward(normed, null, rope);
        x = x.to(ScalarType.Float32).Plus(attended * gateAttn).to(dtype);

        var crossInput = norm2.forward(x.to(ScalarType.Float32)).to(dtype);
        x = x.Plus(attn2.Forward(crossInput, text, null));                              // no gate on cross-attention

        normed = (norm3.forward(x.to(ScalarType.Float32)) * scaleFfn.Plus(1)).Plus(shiftFfn).to(dtype);
        var fed = ffn.forward(normed);
        x = x.to(ScalarType.Float32).Plus(fed.to(ScalarType.Float32) * gateFfn).to(dtype);
        return x.MoveToOuterDisposeScope();                                           // (B, L, D)
    }
}

/// <summary>
/// The Wan diffusion transformer (diffusers' <c>WanTransformer3DModel</c>) for Wan 2.1 T2V and Wan 2.2 TI2V.
/// Build it with the dtype and device the weights should live in, then load a checkpoint with
/// <see cref="Kinema.Weights.StateDictLoader"/> (or <see cref="Loading.WanModelFolder"/>).
/// </summary>
public sealed class WanTransformer3D : nn.Module
{
    private readonly Conv3d patch_embedding;
    private readonly WanConditionEmbedder condition_embedder;
    private readonly ModuleList<WanTransformerBlock> blocks;
    private readonly LayerNorm norm_out;
    private readonly Linear proj_out;
    private readonly Parameter scale_shift_table;

    /// <summary>The config the module was built from.</summary>
    public WanTransformerConfig Config { get; }

    /// <summary>Dtype of the matmul weights (inputs are cast to it); fp32-kept parts are listed in <see cref="KeepsFloat32"/>.</summary>
    public ScalarType ComputeDtype { get; private set; }

    private WanBlockOffload? _offload;

    /// <summary>True after <see cref="EnableBlockOffload"/>.</summary>
    public bool OffloadsBlocks => _offload is not null;

    /// <param name="dtype">Weight dtype: Float32 on CPU, BFloat16 on CUDA.</param>
    /// <param name="device">Where the parameters are allocated (null: CPU).</param>
    public WanTransformer3D(WanTransformerConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(WanTransformer3D))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"weight dtype must be Float32, BFloat16 or Float16, got {dtype}", nameof(dtype));
        Config = config;
        ComputeDtype = dtype;
        int dim = config.InnerDim;
        var p = config.PatchSize;
        using var noGrad = no_grad();
        patch_embedding = nn.Conv3d(config.InChannels, dim, (p[0], p[1], p[2]), stride: (p[0], p[1], p[2]), bias: true, device: device, dtype: dtype);
        condition_embedder = new WanConditionEmbedder(config, dtype, device);
        blocks = new ModuleList<WanTransformerBlock>(Enumerable.Range(0, config.NumLayers).Select(_ => new WanTransformerBlock(config, dtype, device)).ToArray());
        norm_out = nn.LayerNorm(dim, config.Eps, elementwise_affine: false, device: device, dtype: ScalarType.Float32);
        proj_out = nn.Linear(dim, (long)config.ResolvedOutChannels * config.PatchVolume, hasBias: true, device: device, dtype: dtype);
        scale_shift_table = nn.Parameter(zeros(new long[] { 1, 2, dim }, dtype: ScalarType.Float32, device: device));
        RegisterComponents();
    }

    /// <summary>
    /// Sequential block offload on the CPU, for memory. Call on a model loaded in a 16-bit dtype: the blocks keep their
    /// attention and feed-forward weights in it and are converted to <paramref name="computeType"/> one at a time, only
    /// while each runs; the layers outside the blocks are converted now. Outputs equal those of a model loaded in
    /// <paramref name="computeType"/> from the same weights. Offloading to another device (CUDA) is not implemented.
    /// </summary>
    public void EnableBlockOffload(ScalarType computeType)
    {
        if (_offload is not null) throw new InvalidOperationException("block offload is already enabled");
        if (computeType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"compute dtype must be Float32, BFloat16 or Float16, got {computeType}", nameof(computeType));
        if (ComputeDtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new InvalidOperationException($"block offload stores the blocks in a 16-bit dtype; this model was loaded in {ComputeDtype}");
        using (var noGrad = no_grad())
        {
            patch_embedding.to(computeType);
            condition_embedder.ConvertMatmulWeights(computeType);
            proj_out.to(computeType);
        }
        _offload = new WanBlockOffload(blocks.ToList(), computeType, ComputeDtype);
        ComputeDtype = computeType;
    }

    /// <summary>The timestep/text embedder, exposed to tests for layer-by-layer parity checks.</summary>
    internal WanConditionEmbedder ConditionEmbedder => condition_embedder;

    /// <summary>True for checkpoint keys diffusers keeps in fp32 whatever the model dtype (<c>_keep_in_fp32_modules</c>).</summary>
    public static bool KeepsFloat32(string key) =>
        key.StartsWith("condition_embedder.time_embedder.", StringComparison.Ordinal)
        || key.EndsWith("scale_shift_table", StringComparison.Ordinal)
        || key.Contains(".norm1.", StringComparison.Ordinal) || key.Contains(".norm2.", StringComparison.Ordinal)
        || key.Contains(".norm3.", StringComparison.Ordinal);

    /// <summary>The token grid (frames, height, width) a latent of this size patchifies to; throws if it does not divide.</summary>
    public (long Frames, long Height, long Width) TokenGrid(long frames, long height, long width)
    {
        var p = Config.PatchSize;
        if (frames % p[0] != 0 || height % p[1] != 0 || width % p[2] != 0)
            throw new ArgumentException(
                $"latent size {frames}x{height}x{width} (frames x height x width) is not divisible by the patch size {p[0]}x{p[1]}x{p[2]}");
        return (frames / p[0], height / p[1], width / p[2]);
    }

    /// <param name="latents">(B, in_channels, T, H, W) noisy latents (any float dtype; cast to <see cref="ComputeDtype"/>).</param>
    /// <param name="timesteps">(B), or (B, L) with L = number of tokens for Wan 2.2 TI2V per-token timesteps
    /// (tokens of clean conditioning frames carry t = 0). Values on the 0…1000 scale, any numeric dtype.</param>
    /// <param name="context">(B, Lt, text_dim) text encoder states. The pipeline zero-pads them to 512 rows; no mask is applied.</param>
    /// <returns>(B, out_channels, T, H, W) flow velocity in <see cref="ComputeDtype"/>.</returns>
    public Tensor Forward(Tensor latents, Tensor timesteps, Tensor context)
    {
        var c = Config;
        if (latents.dim() != 5 || latents.shape[1] != c.InChannels)
            throw new ArgumentException($"latents must be (batch, {c.InChannels}, frames, height, width), got [{string.Join(", ", latents.shape)}]");
        long batch = latents.shape[0];
        var (f, h, w) = TokenGrid(latents.shape[2], latents.shape[3], latents.shape[4]);
        long tokens = f * h * w;
        bool perToken = timesteps.dim() == 2;
        if (!(timesteps.dim() == 1 && timesteps.shape[0] == batch) && !(perToken && timesteps.shape[0] == batch && timesteps.shape[1] == tokens))
            throw new ArgumentException($"timesteps must be (batch) = [{batch}] or (batch, tokens) = [{batch}, {tokens}], got [{string.Join(", ", timesteps.shape)}]");
        if (context.dim() != 3 || context.shape[0] != batch || context.shape[2] != c.TextDim)
            throw new ArgumentException($"context must be ({batch}, text tokens, {c.TextDim}), got [{string.Join(", ", context.shape)}]");
        if (Math.Max(f, Math.Max(h, w)) > c.RopeMaxSeqLen)
            throw new ArgumentException($"token grid {f}x{h}x{w} exceeds rope_max_seq_len {c.RopeMaxSeqLen} on some axis");

        using var scope = NewDisposeScope();
        var device = patch_embedding.weight!.device;
        var x = patch_embedding.forward(latents.to(ComputeDtype, device)).flatten(2).transpose(1, 2).contiguous(); // (B, L, D)
        var (temb, projection, text) = condition_embedder.Forward(timesteps.to(device), context.to(ComputeDtype, device));
        long dim = c.InnerDim;
        var modulation = perToken ? projection.unflatten(2, [6, dim]) : projection.unflatten(1, [6, dim]); // (B, L, 6, D) | (B, 6, D)
        var rope = Rope3D.Tables(c.AttentionHeadDim, f, h, w, theta: 10000.0, device);

        for (int i = 0; i < blocks.Count; i++)
        {
            using var resident = _offload?.Materialize(i);
            x = blocks[i].Forward(x, text, modulation, rope);
            // The block's activations were just freed. glibc would keep much of them in its heaps, and over 30 blocks the
            // CPU process grew by ~6.5 GB within one step at 1,950 tokens (bench wan-step); trimming costs no measurable time.
            NativeHeap.Trim();
        }

        // Head: shift/scale from the time MLP output temb (not the 6D projection) plus the learned table.
        Tensor shift, scale;
        if (perToken)
        {
            var table = scale_shift_table.unsqueeze(0).Plus(temb.unsqueeze(2));           // (B, L, 2, D)
            (shift, scale) = (table.select(2, 0), table.select(2, 1));
        }
        else
        {
            var table = scale_shift_table.Plus(temb.unsqueeze(1));                        // (B, 2, D)
            (shift, scale) = (table.narrow(1, 0, 1), table.narrow(1, 1, 1));          // (B, 1, D)
        }
        x = (norm_out.forward(x.to(ScalarType.Float32)) * scale.Plus(1)).Plus(shift).to(ComputeDtype);
        var patches = proj_out.forward(x);                                             // (B, L, pt·ph·pw·C_out)
        return Unpatchify(patches, (f, h, w), c.PatchSize, c.ResolvedOutChannels).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (B, F·H·W, pt·ph·pw·C) patch values → (B, C, F·pt, H·ph, W·pw). Each token's vector is laid out
    /// (pt, ph, pw, C) with C fastest, tokens frame-major then row then column.
    /// </summary>
    public static Tensor Unpatchify(Tensor patches, (long Frames, long Height, long Width) grid, int[] patchSize, int channels)
    {
        long b = patches.shape[0];
        var (f, h, w) = grid;
        int pt = patchSize[0], ph = patchSize[1], pw = patchSize[2];
        return patches.reshape(b, f, h, w, pt, ph, pw, channels)
            .permute(0, 7, 1, 4, 2, 5, 3, 6)                                            // (B, C, F, pt, H, ph, W, pw)
            .reshape(b, channels, f * pt, h * ph, w * pw);
    }

    /// <summary>The inverse of <see cref="Unpatchify"/>: (B, C, T, H, W) → (B, tokens, pt·ph·pw·C).</summary>
    public static Tensor Patchify(Tensor video, int[] patchSize)
    {
        long b = video.shape[0], c = video.shape[1];
        int pt = patchSize[0], ph = patchSize[1], pw = patchSize[2];
        long f = video.shape[2] / pt, h = video.shape[3] / ph, w = video.shape[4] / pw;
        return video.reshape(b, c, f, pt, h, ph, w, pw)
            .permute(0, 2, 4, 6, 3, 5, 7, 1)                                            // (B, F, H, W, pt, ph, pw, C)
            .reshape(b, f * h * w, (long)pt * ph * pw * c);
    }
}
