using Kinema.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Models;

// The diffusion transformer over spacetime latent patches ("Scalable Diffusion Models with
// Transformers", Peebles & Xie, with the video changes of Sora and Wan): patchify the latent video,
// add 3D rotary positions in attention, condition on the timestep through adaLN-Zero and on the
// text through cross-attention, predict the flow-matching velocity, unpatchify.
//
// Timesteps are given per latent frame, so frames supplied clean (image-to-video, extension,
// looping) can carry t = 0 while the rest are denoised; modulation is computed per frame and
// broadcast over that frame's patches.

/// <summary>shift/scale modulation of a normalised (B, F, S, D) activation by (B, F, 1, D) parameters.</summary>
internal static class Modulation
{
    public static Tensor Apply(Tensor x, Tensor shift, Tensor scale)
    {
        // A held Scalar, not an implicit temporary the GC may finalize while libtorch reads it.
        using var one = 1.0.ToScalar();
        using var scope = NewDisposeScope();
        return (x * scale.add(one, one)).Plus(shift).MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head self-attention with RMS-normalised queries/keys and 3D rotary positions.</summary>
public sealed class SpacetimeSelfAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear q, k, v, o;
    private readonly RmsNorm norm_q, norm_k;
    private readonly int _heads;

    public SpacetimeSelfAttention(int dim, int heads, double eps) : base(nameof(SpacetimeSelfAttention))
    {
        _heads = heads;
        q = nn.Linear(dim, dim); k = nn.Linear(dim, dim); v = nn.Linear(dim, dim); o = nn.Linear(dim, dim);
        norm_q = new RmsNorm(dim, eps); norm_k = new RmsNorm(dim, eps);
        RegisterComponents();
    }

    /// <param name="x">(B, L, D)</param><param name="ropeCos">(L, headDim/2)</param><param name="ropeSin">(L, headDim/2)</param>
    public override Tensor forward(Tensor x, Tensor ropeCos, Tensor ropeSin)
    {
        using var scope = NewDisposeScope();
        var query = Rope3D.Apply(AttentionHeads.Split(norm_q.forward(q.forward(x)), _heads), ropeCos, ropeSin); // (B, H, L, Dh)
        var key = Rope3D.Apply(AttentionHeads.Split(norm_k.forward(k.forward(x)), _heads), ropeCos, ropeSin);
        var value = AttentionHeads.Split(v.forward(x), _heads);
        var attended = F.scaled_dot_product_attention(query, key, value);      // (B, H, L, Dh)
        return o.forward(AttentionHeads.Merge(attended)).MoveToOuterDisposeScope();       // (B, L, D)
    }
}

/// <summary>Cross-attention from video tokens to text tokens; padded text tokens are masked out.</summary>
public sealed class TextCrossAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear q, k, v, o;
    private readonly RmsNorm norm_q, norm_k;
    private readonly int _heads;

    public TextCrossAttention(int dim, int heads, double eps) : base(nameof(TextCrossAttention))
    {
        _heads = heads;
        q = nn.Linear(dim, dim); k = nn.Linear(dim, dim); v = nn.Linear(dim, dim); o = nn.Linear(dim, dim);
        norm_q = new RmsNorm(dim, eps); norm_k = new RmsNorm(dim, eps);
        RegisterComponents();
    }

    internal Linear Output => o;

    /// <param name="x">(B, L, D) video tokens</param><param name="context">(B, Lt, D) text tokens</param>
    /// <param name="contextMask">(B, Lt) bool, true for real tokens</param>
    public override Tensor forward(Tensor x, Tensor context, Tensor contextMask)
    {
        using var scope = NewDisposeScope();
        var query = AttentionHeads.Split(norm_q.forward(q.forward(x)), _heads);                   // (B, H, L, Dh)
        var key = AttentionHeads.Split(norm_k.forward(k.forward(context)), _heads);               // (B, H, Lt, Dh)
        var value = AttentionHeads.Split(v.forward(context), _heads);
        var allowed = contextMask.view(contextMask.shape[0], 1, 1, contextMask.shape[1]); // (B, 1, 1, Lt)
        var attended = F.scaled_dot_product_attention(query, key, value, attn_mask: allowed);
        return o.forward(AttentionHeads.Merge(attended)).MoveToOuterDisposeScope();
    }
}

/// <summary>Embeds a scalar timestep: sinusoid → MLP (DiT's TimestepEmbedder).</summary>
public sealed class TimestepEmbedder : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1, linear_2;
    private readonly int _frequencySize;

    public TimestepEmbedder(int dim, int frequencySize) : base(nameof(TimestepEmbedder))
    {
        _frequencySize = frequencySize;
        linear_1 = nn.Linear(frequencySize, dim);
        linear_2 = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <param name="t">(B, F) timesteps in [0, 1000]</param>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        var frequencies = TimestepEmbedding.Sinusoidal(t, _frequencySize).to(linear_1.weight.dtype);
        return linear_2.forward(F.silu(linear_1.forward(frequencies))).MoveToOuterDisposeScope(); // (B, F, D)
    }
}

/// <summary>One DiT block: adaLN-Zero-gated self-attention, cross-attention to text, adaLN-Zero-gated MLP.</summary>
public sealed class DitBlock : nn.Module
{
    private readonly LayerNorm norm1, norm_cross, norm2;
    private readonly SpacetimeSelfAttention self_attn;
    private readonly TextCrossAttention cross_attn;
    private readonly Sequential mlp;
    private readonly Linear ada_ln;

    public DitBlock(VideoDitConfig c) : base(nameof(DitBlock))
    {
        int dim = c.HiddenSize;
        int hidden = (int)(dim * c.MlpRatio);
        norm1 = nn.LayerNorm(dim, c.NormEps, elementwise_affine: false);
        self_attn = new SpacetimeSelfAttention(dim, c.Heads, c.NormEps);
        norm_cross = nn.LayerNorm(dim, c.NormEps);
        cross_attn = new TextCrossAttention(dim, c.Heads, c.NormEps);
        norm2 = nn.LayerNorm(dim, c.NormEps, elementwise_affine: false);
        mlp = nn.Sequential(("fc1", nn.Linear(dim, hidden)), ("act", nn.GELU(GELU.Approximate.tanh)), ("fc2", nn.Linear(hidden, dim)));
        ada_ln = nn.Linear(dim, 6L * dim);
        RegisterComponents();
    }

    internal Linear AdaLn => ada_ln;
    internal TextCrossAttention CrossAttention => cross_attn;

    /// <param name="x">(B, L, D) with L = F * S</param><param name="conditioning">(B, F, D) timestep embedding per frame</param>
    public Tensor Forward(Tensor x, Tensor conditioning, Tensor context, Tensor contextMask, Tensor ropeCos, Tensor ropeSin, long frames)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], d = x.shape[2], s = l / frames;
        var mod = ada_ln.forward(F.silu(conditioning)).view(b, frames, 1, 6, d).unbind(3); // 6 × (B, F, 1, D)
        var (shiftAttn, scaleAttn, gateAttn, shiftMlp, scaleMlp, gateMlp) = (mod[0], mod[1], mod[2], mod[3], mod[4], mod[5]);

        var h = Modulation.Apply(norm1.forward(x).view(b, frames, s, d), shiftAttn, scaleAttn).view(b, l, d);
        x = x.Plus((self_attn.forward(h, ropeCos, ropeSin).view(b, frames, s, d) * gateAttn).view(b, l, d));
        x = x.Plus(cross_attn.forward(norm_cross.forward(x), context, contextMask));
        h = Modulation.Apply(norm2.forward(x).view(b, frames, s, d), shiftMlp, scaleMlp).view(b, l, d);
        x = x.Plus((mlp.forward(h).view(b, frames, s, d) * gateMlp).view(b, l, d));
        return x.MoveToOuterDisposeScope();                                    // (B, L, D)
    }
}

/// <summary>Final adaLN-modulated projection from tokens back to patch values.</summary>
public sealed class DitFinalLayer : nn.Module
{
    private readonly LayerNorm norm;
    private readonly Linear linear;
    private readonly Linear ada_ln;

    public DitFinalLayer(int dim, int patchValues, double eps) : base(nameof(DitFinalLayer))
    {
        norm = nn.LayerNorm(dim, eps, elementwise_affine: false);
        linear = nn.Linear(dim, patchValues);
        ada_ln = nn.Linear(dim, 2L * dim);
        RegisterComponents();
    }

    internal Linear Linear => linear;
    internal Linear AdaLn => ada_ln;

    public Tensor Forward(Tensor x, Tensor conditioning, long frames)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], d = x.shape[2];
        var mod = ada_ln.forward(F.silu(conditioning)).view(b, frames, 1, 2, d).unbind(3);
        var h = Modulation.Apply(norm.forward(x).view(b, frames, l / frames, d), mod[0], mod[1]).view(b, l, d);
        return linear.forward(h).MoveToOuterDisposeScope();                    // (B, L, pt*ph*pw*C)
    }
}

/// <summary>
/// The video diffusion transformer. Input latents (B, C, T, H, W) with T divisible by the temporal patch
/// and H, W by the spatial patch; any such size works. Output: the velocity, same shape as the input.
/// </summary>
public sealed class VideoDit : nn.Module
{
    private readonly Conv3d patch_embed;
    private readonly Sequential text_embed;
    private readonly TimestepEmbedder time_embed;
    private readonly Linear? text_pool;
    private readonly ModuleList<DitBlock> blocks;
    private readonly DitFinalLayer final_layer;
    private readonly Sequential? output_refiner;

    public VideoDitConfig Config { get; }

    public VideoDit(VideoDitConfig config) : base(nameof(VideoDit))
    {
        config.Validate();
        Config = config;
        int d = config.HiddenSize;
        var p = config.PatchSize;
        patch_embed = nn.Conv3d(config.LatentChannels, d, (p[0], p[1], p[2]), stride: (p[0], p[1], p[2]));
        text_embed = nn.Sequential(("fc1", nn.Linear(config.TextDim, d)), ("act", nn.GELU(GELU.Approximate.tanh)), ("fc2", nn.Linear(d, d)));
        time_embed = new TimestepEmbedder(d, config.FrequencyEmbeddingSize);
        if (config.PooledText) text_pool = nn.Linear(config.TextDim, d);
        blocks = new ModuleList<DitBlock>(Enumerable.Range(0, config.Depth).Select(_ => new DitBlock(config)).ToArray());
        final_layer = new DitFinalLayer(d, config.PatchVolume * config.LatentChannels, config.NormEps);
        if (config.OutputRefiner)
        {
            int r = config.OutputRefinerChannels;
            output_refiner = nn.Sequential(
                ("conv_in", nn.Conv3d(2 * config.LatentChannels, r, 3, padding: 1)),
                ("act", nn.SiLU()),
                ("conv_out", nn.Conv3d(r, config.LatentChannels, 3, padding: 1)));
        }
        RegisterComponents();
    }

    /// <summary>DiT's initialisation: Xavier linears, zeroed adaLN and output so every block starts as the identity.</summary>
    public void InitializeWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is Linear linear)
            {
                nn.init.xavier_uniform_(linear.weight);
                if (linear.bias is not null) nn.init.zeros_(linear.bias);
            }
        }
        var w = patch_embed.weight!;
        nn.init.xavier_uniform_(w.view(w.shape[0], -1));
        foreach (var block in blocks)
        {
            nn.init.zeros_(block.AdaLn.weight);
            nn.init.zeros_(block.AdaLn.bias!);
            // Cross-attention is the one residual branch adaLN-Zero does not gate. Started random, it adds
            // caption-dependent noise to every token, and training learns to shut the text path off before
            // the text encoder has learned anything worth passing (measured: every model before this change
            // ignored its prompt). Started at zero, the branch opens only as far as the text helps.
            nn.init.zeros_(block.CrossAttention.Output.weight);
            nn.init.zeros_(block.CrossAttention.Output.bias!);
        }
        if (text_pool is not null)
        {
            // Zero: a warm start from a model without the pooled path begins exactly where that model was.
            nn.init.zeros_(text_pool.weight);
            nn.init.zeros_(text_pool.bias!);
        }
        nn.init.zeros_(final_layer.AdaLn.weight);
        nn.init.zeros_(final_layer.AdaLn.bias!);
        nn.init.zeros_(final_layer.Linear.weight);
        nn.init.zeros_(final_layer.Linear.bias!);
        if (output_refiner is not null)
        {
            // Zero: the refiner adds nothing until training opens it, so a warm start is exact.
            var last = (Conv3d)output_refiner[2];
            nn.init.zeros_(last.weight!);
            nn.init.zeros_(last.bias!);
        }
    }

    /// <summary>The latent grid a size must fit: (frames, height, width) multiples.</summary>
    public (int Frames, int Height, int Width) GridMultiple => (Config.PatchSize[0], Config.PatchSize[1], Config.PatchSize[2]);

    /// <param name="latents">(B, C, T, H, W) noisy latents</param>
    /// <param name="timesteps">(B) or (B, T/pt) timesteps in [0, 1000]; per-frame values let clean frames carry 0</param>
    /// <param name="context">(B, Lt, TextDim) text encoder output</param>
    /// <param name="contextMask">(B, Lt) bool, true for real tokens</param>
    /// <returns>(B, C, T, H, W) predicted velocity (noise − data)</returns>
    public Tensor Forward(Tensor latents, Tensor timesteps, Tensor context, Tensor contextMask)
    {
        using var scope = NewDisposeScope();
        var c = Config;
        long b = latents.shape[0], t = latents.shape[2], h = latents.shape[3], w = latents.shape[4];
        int pt = c.PatchSize[0], ph = c.PatchSize[1], pw = c.PatchSize[2];
        if (latents.dim() != 5 || latents.shape[1] != c.LatentChannels)
            throw new ArgumentException($"latents must be (batch, {c.LatentChannels}, frames, height, width), got [{string.Join(", ", latents.shape)}]");
        if (t % pt != 0 || h % ph != 0 || w % pw != 0)
            throw new ArgumentException($"latent size {t}x{h}x{w} (frames x height x width) must be divisible by the patch size {pt}x{ph}x{pw}");
        long f = t / pt, gh = h / ph, gw = w / pw;
        var perFrame = timesteps.dim() == 1 ? timesteps.view(b, 1).expand(b, f) : timesteps;
        if (perFrame.shape[0] != b || perFrame.shape[1] != f)
            throw new ArgumentException($"timesteps must be (batch) or (batch, {f}), got [{string.Join(", ", timesteps.shape)}]");

        var x = patch_embed.forward(latents).flatten(2).transpose(1, 2);       // (B, L = F*gh*gw, D)
        var conditioning = time_embed.forward(perFrame);                        // (B, F, D)
        if (text_pool is not null) conditioning = conditioning.Plus(text_pool.forward(PooledCaption(context, contextMask).to(conditioning.dtype)).unsqueeze(1));
        var text = text_embed.forward(context.to(x.dtype));                     // (B, Lt, D)
        var (cos, sin) = Rope3D.Tables(c.HeadDim, f, gh, gw, c.RopeTheta, x.device);

        foreach (var block in blocks) x = block.Forward(x, conditioning, text, contextMask, cos, sin, f);
        x = final_layer.Forward(x, conditioning, f);                            // (B, L, pt*ph*pw*C)
        var velocity = Unpatchify(x, f, gh, gw);                                // (B, C, T, H, W)
        if (output_refiner is not null)
            velocity = velocity.Plus(output_refiner.forward(cat([velocity, latents.to(velocity.dtype)], 1)));
        if (c.VelocitySkip)
        {
            // σ per latent frame (clean conditioning frames carry 0, so they get no skip).
            using var thousandth = 0.001.ToScalar();
            var sigma = perFrame.to(velocity.dtype).mul(thousandth).repeat_interleave(pt, dim: 1).view(b, 1, t, 1, 1);
            velocity = velocity.Plus(latents.to(velocity.dtype) * sigma);
        }
        return velocity.MoveToOuterDisposeScope();
    }

    /// <summary>Mean of the text encoder's output over real tokens: (B, TextDim); zero for an empty mask.</summary>
    private static Tensor PooledCaption(Tensor context, Tensor contextMask)
    {
        using var one = 1.0.ToScalar();
        var weights = contextMask.to(context.dtype).unsqueeze(-1);                      // (B, Lt, 1)
        return (context * weights).sum(1) / weights.sum(1).clamp_min(one);
    }

    private Tensor Unpatchify(Tensor x, long f, long gh, long gw)
    {
        var c = Config;
        long b = x.shape[0];
        int pt = c.PatchSize[0], ph = c.PatchSize[1], pw = c.PatchSize[2];
        return x.view(b, f, gh, gw, pt, ph, pw, c.LatentChannels)
            .permute(0, 7, 1, 4, 2, 5, 3, 6)                                    // (B, C, F, pt, gh, ph, gw, pw)
            .reshape(b, c.LatentChannels, f * pt, gh * ph, gw * pw);
    }
}
