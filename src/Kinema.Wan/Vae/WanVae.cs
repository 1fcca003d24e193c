using Kinema.Runtime;
using Kinema.Models;
using Kinema.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Wan.Vae;

/// <summary>Residual block, attention, residual block at the lowest resolution (keys <c>resnets.{0,1}</c>, <c>attentions.0</c>).</summary>
public sealed class WanMidBlock : WanVaeModule
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly ModuleList<WanAttentionBlock> attentions;

    public WanMidBlock(long dim, ScalarType dtype = ScalarType.Float32) : base(nameof(WanMidBlock))
    {
        resnets = new ModuleList<WanResidualBlock>(new WanResidualBlock(dim, dim, dtype), new WanResidualBlock(dim, dim, dtype));
        attentions = new ModuleList<WanAttentionBlock>(new WanAttentionBlock(dim, dtype));
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        x = resnets[0].Forward(x, cache, firstChunk);
        x = attentions[0].Forward(x, cache, firstChunk);
        x = resnets[1].Forward(x, cache, firstChunk);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>Wan 2.2 encoder stage: residual blocks and a downsample, plus the parameter-free <see cref="AvgDown3D"/> shortcut of the stage input.</summary>
public sealed class WanResidualDownBlock : WanVaeModule
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly WanResample? downsampler;
    private readonly AvgDown3D avg_shortcut;

    public WanResidualDownBlock(long inDim, long outDim, int numResBlocks, bool temporalDown, bool down, ScalarType dtype = ScalarType.Float32) : base(nameof(WanResidualDownBlock))
    {
        avg_shortcut = new AvgDown3D(inDim, outDim, temporalDown ? 2 : 1, down ? 2 : 1);
        resnets = new ModuleList<WanResidualBlock>(Enumerable.Range(0, numResBlocks).Select(i => new WanResidualBlock(i == 0 ? inDim : outDim, outDim)).ToArray());
        downsampler = down ? new WanResample(outDim, temporalDown ? WanResampleMode.Downsample3d : WanResampleMode.Downsample2d, dtype: dtype) : null;
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (WanResidualBlock resnet in resnets) h = resnet.Forward(h, cache, firstChunk);
        if (downsampler is not null) h = downsampler.Forward(h, cache, firstChunk);
        return h.Plus(avg_shortcut.forward(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>Wan 2.1 decoder stage: residual blocks then an optional upsampler (key <c>upsamplers.0</c>).</summary>
public sealed class WanUpBlock : WanVaeModule
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly ModuleList<WanResample>? upsamplers;

    public WanUpBlock(long inDim, long outDim, int numResBlocks, WanResampleMode? upsample, ScalarType dtype = ScalarType.Float32) : base(nameof(WanUpBlock))
    {
        resnets = new ModuleList<WanResidualBlock>(Enumerable.Range(0, numResBlocks + 1).Select(i => new WanResidualBlock(i == 0 ? inDim : outDim, outDim)).ToArray());
        upsamplers = upsample is { } mode ? new ModuleList<WanResample>(new WanResample(outDim, mode, dtype: dtype)) : null;
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        foreach (WanResidualBlock resnet in resnets) x = resnet.Forward(x, cache, firstChunk);
        if (upsamplers is not null) x = upsamplers[0].Forward(x, cache, firstChunk);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>Wan 2.2 decoder stage: residual blocks, an upsampler (key <c>upsampler</c>) keeping the width, plus the <see cref="DupUp3D"/> shortcut.</summary>
public sealed class WanResidualUpBlock : WanVaeModule
{
    private readonly ModuleList<WanResidualBlock> resnets;
    private readonly WanResample? upsampler;
    private readonly DupUp3D? avg_shortcut;

    public WanResidualUpBlock(long inDim, long outDim, int numResBlocks, bool temporalUp, bool up, ScalarType dtype = ScalarType.Float32) : base(nameof(WanResidualUpBlock))
    {
        avg_shortcut = up ? new DupUp3D(inDim, outDim, temporalUp ? 2 : 1, 2) : null;
        resnets = new ModuleList<WanResidualBlock>(Enumerable.Range(0, numResBlocks + 1).Select(i => new WanResidualBlock(i == 0 ? inDim : outDim, outDim)).ToArray());
        upsampler = up ? new WanResample(outDim, temporalUp ? WanResampleMode.Upsample3d : WanResampleMode.Upsample2d, upsampleOutDim: outDim, dtype: dtype) : null;
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (WanResidualBlock resnet in resnets) h = resnet.Forward(h, cache, firstChunk);
        if (upsampler is not null) h = upsampler.Forward(h, cache, firstChunk);
        if (avg_shortcut is not null) h = h.Plus(avg_shortcut.forward(x, firstChunk));
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>Video (patchified for 2.2) → 2·z channels (mean and log-variance) at 1/4 time and 1/8 space.</summary>
public sealed class WanEncoder3d : WanVaeModule
{
    private readonly WanCausalConv3d conv_in;
    private readonly ModuleList<WanVaeModule> down_blocks;
    private readonly WanMidBlock mid_block;
    private readonly WanRmsNorm norm_out;
    private readonly WanCausalConv3d conv_out;

    public WanEncoder3d(WanVaeConfig c, ScalarType dtype = ScalarType.Float32) : base(nameof(WanEncoder3d))
    {
        long[] dims = new[] { 1 }.Concat(c.DimMult).Select(m => (long)c.BaseDim * m).ToArray();
        conv_in = WanCausalConv3d.Cube(c.InChannels, dims[0], 3, dtype);
        var blocks = new List<WanVaeModule>();
        double scale = 1.0;
        int last = c.DimMult.Length - 1;
        for (int i = 0; i <= last; i++)
        {
            long inDim = dims[i], outDim = dims[i + 1];
            if (c.IsResidual)
            {
                blocks.Add(new WanResidualDownBlock(inDim, outDim, c.NumResBlocks, i != last && c.TemperalDownsample[i], i != last, dtype));
                continue;
            }
            // Wan 2.1: one flat list (keys down_blocks.N count residual, attention and resample modules alike).
            for (int j = 0; j < c.NumResBlocks; j++)
            {
                blocks.Add(new WanResidualBlock(inDim, outDim, dtype));
                if (c.AttnScales.Contains(scale)) blocks.Add(new WanAttentionBlock(outDim, dtype));
                inDim = outDim;
            }
            if (i != last)
            {
                blocks.Add(new WanResample(outDim, c.TemperalDownsample[i] ? WanResampleMode.Downsample3d : WanResampleMode.Downsample2d, dtype: dtype));
                scale /= 2.0;
            }
        }
        down_blocks = new ModuleList<WanVaeModule>(blocks.ToArray());
        mid_block = new WanMidBlock(dims[^1], dtype);
        norm_out = new WanRmsNorm(dims[^1], images: false);
        conv_out = WanCausalConv3d.Cube(dims[^1], 2L * c.ZDim, 3, dtype);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(x, cache);                                           // (B, dim, T, H, W)
        foreach (WanVaeModule block in down_blocks) h = block.Forward(h, cache, firstChunk);
        h = mid_block.Forward(h, cache, firstChunk);
        h = conv_out.forward(F.silu(norm_out.forward(h)), cache);                    // (B, 2z, T', H/8, W/8)
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>z channels → video (patchified for 2.2): ×4 time (first latent frame → one frame), ×8 space.</summary>
public sealed class WanDecoder3d : WanVaeModule
{
    private readonly WanCausalConv3d conv_in;
    private readonly WanMidBlock mid_block;
    private readonly ModuleList<WanVaeModule> up_blocks;
    private readonly WanRmsNorm norm_out;
    private readonly WanCausalConv3d conv_out;

    public WanDecoder3d(WanVaeConfig c, ScalarType dtype = ScalarType.Float32) : base(nameof(WanDecoder3d))
    {
        long[] dims = new[] { c.DimMult[^1] }.Concat(c.DimMult.Reverse()).Select(m => (long)c.DecoderDim * m).ToArray();
        bool[] temporalUp = c.TemperalDownsample.Reverse().ToArray();
        conv_in = WanCausalConv3d.Cube(c.ZDim, dims[0], 3, dtype);
        mid_block = new WanMidBlock(dims[0], dtype);
        var blocks = new List<WanVaeModule>();
        int last = c.DimMult.Length - 1;
        for (int i = 0; i <= last; i++)
        {
            long inDim = dims[i], outDim = dims[i + 1];
            bool up = i != last;
            if (c.IsResidual)
            {
                blocks.Add(new WanResidualUpBlock(inDim, outDim, c.NumResBlocks, up && temporalUp[i], up, dtype));
                continue;
            }
            // Wan 2.1's upsamplers halve the channels, so every stage after the first receives half its nominal width.
            if (i > 0) inDim /= 2;
            WanResampleMode? mode = up ? temporalUp[i] ? WanResampleMode.Upsample3d : WanResampleMode.Upsample2d : null;
            blocks.Add(new WanUpBlock(inDim, outDim, c.NumResBlocks, mode, dtype));
        }
        up_blocks = new ModuleList<WanVaeModule>(blocks.ToArray());
        norm_out = new WanRmsNorm(dims[^1], images: false);
        conv_out = WanCausalConv3d.Cube(dims[^1], c.OutChannels, 3, dtype);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, CausalCache cache, bool firstChunk)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(x, cache);                                           // (B, 4·dim, T, H, W)
        h = mid_block.Forward(h, cache, firstChunk);
        foreach (WanVaeModule block in up_blocks) h = block.Forward(h, cache, firstChunk);
        h = conv_out.forward(F.silu(norm_out.forward(h)), cache);                    // (B, out, T', 8H, 8W)
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Spatial tiling for <see cref="AutoencoderKLWan.Decode"/>, as diffusers' <c>enable_tiling</c>: overlapping tiles of
/// at least <see cref="MinHeight"/>×<see cref="MinWidth"/> output pixels every <see cref="StrideHeight"/>/<see cref="StrideWidth"/>
/// pixels, decoded separately (each chunked in time) and linearly blended over the overlap. Bounds activation memory by
/// the tile size at any resolution; the result differs slightly from an untiled decode near tile seams.
/// </summary>
public sealed record WanVaeTiling(int MinHeight = 256, int MinWidth = 256, int StrideHeight = 192, int StrideWidth = 192)
{
    /// <summary>diffusers' defaults: 256-pixel tiles every 192 pixels.</summary>
    public static WanVaeTiling Default { get; } = new();
}

/// <summary>
/// diffusers' <c>AutoencoderKLWan</c> (Wan 2.1 and Wan 2.2 VAEs). <see cref="Encode"/> and <see cref="Decode"/> run
/// chunk by chunk exactly as diffusers does (encode: frame 0 alone, then 4 frames per chunk; decode: one latent
/// frame per chunk), so activation memory does not grow with the video length; only the output does.
/// Works in the weights' dtype; Wan runs its VAE in fp32.
/// </summary>
public sealed class AutoencoderKLWan : nn.Module
{
    private readonly WanEncoder3d encoder;
    private readonly WanCausalConv3d quant_conv;
    private readonly WanCausalConv3d post_quant_conv;
    private readonly WanDecoder3d decoder;

    public WanVaeConfig Config { get; }

    /// <param name="dtype">Dtype the parameters are created in (Wan runs its VAE in fp32).</param>
    public AutoencoderKLWan(WanVaeConfig config, ScalarType dtype = ScalarType.Float32) : base(nameof(AutoencoderKLWan))
    {
        config.Validate();
        Config = config;
        encoder = new WanEncoder3d(config, dtype);
        quant_conv = WanCausalConv3d.Cube(2L * config.ZDim, 2L * config.ZDim, 1, dtype);
        post_quant_conv = WanCausalConv3d.Cube(config.ZDim, config.ZDim, 1, dtype);
        decoder = new WanDecoder3d(config, dtype);
        RegisterComponents();
    }

    /// <summary>Reads <paramref name="folder"/>/config.json and its safetensors (file or index), strictly.</summary>
    public static AutoencoderKLWan Load(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"VAE folder not found: '{Path.GetFullPath(folder)}'");
        var vae = new AutoencoderKLWan(WanVaeConfig.Load(Path.Combine(folder, "config.json")), dtype);
        if (device is not null) vae.to(device);
        using var source = ShardedSafeTensors.Open(folder);
        StateDictLoader.Load(vae, source, "vae");
        vae.eval();
        return vae;
    }

    /// <summary>
    /// Video (B, C, T, H, W) in [-1, 1] with T = 1 + 4k → posterior parameters (B, 2z, 1 + k, H/s, W/s): the first z
    /// channels are the mean (what Wan uses as the latent), the rest the log-variance. Not normalised; see <see cref="NormalizeLatents"/>.
    /// </summary>
    public Tensor Encode(Tensor video)
    {
        CheckVideo(video);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var x = Patchify(video);
        long frames = x.shape[2];
        using var cache = new CausalCache();
        var chunks = new List<Tensor>();
        for (long start = 0; start < frames; start += start == 0 ? 1 : 4)
        {
            using var chunkScope = NewDisposeScope();
            long length = start == 0 ? 1 : 4;
            chunks.Add(encoder.Forward(x.narrow(2, start, length), cache, start == 0).MoveToOuterDisposeScope());
        }
        var moments = quant_conv.forward(cat(chunks, 2), null);                     // (B, 2z, T', h, w)
        return moments.MoveToOuterDisposeScope();
    }

    /// <summary>The latent mean (B, z, T', h, w) of <paramref name="video"/>, unnormalised (diffusers' latent_dist.mode()).</summary>
    public Tensor EncodeMean(Tensor video)
    {
        using var scope = NewDisposeScope();
        var moments = Encode(video);
        return moments.narrow(1, 0, Config.ZDim).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Latent (B, z, T', h, w), unnormalised → video (B, C, 1 + 4(T'-1), s·h, s·w) clamped to [-1, 1]. Decodes one latent
    /// frame per chunk; <paramref name="onChunk"/>, when given, receives each decoded chunk (before unpatchify/clamp) as it
    /// is produced. With <paramref name="tiling"/>, latents larger than one tile are decoded tile by tile.
    /// </summary>
    public Tensor Decode(Tensor latents, Action<int, Tensor>? onChunk = null, WanVaeTiling? tiling = null)
    {
        CheckLatents(latents);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        int ratio = Config.ScaleFactorSpatial;
        Tensor video;
        if (tiling is not null && (latents.shape[4] > tiling.MinWidth / ratio || latents.shape[3] > tiling.MinHeight / ratio))
            video = DecodeTiles(latents, tiling);
        else
            video = DecodeChunks(post_quant_conv.forward(latents, null), onChunk);
        return Unpatchify(video).ClampTo(-1.0, 1.0).MoveToOuterDisposeScope();
    }

    // One pass of the decoder over all latent frames, one frame per chunk; output still patchified.
    private Tensor DecodeChunks(Tensor z, Action<int, Tensor>? onChunk)
    {
        using var scope = NewDisposeScope();
        using var cache = new CausalCache();
        var chunks = new List<Tensor>();
        for (int i = 0; i < z.shape[2]; i++)
        {
            using var chunkScope = NewDisposeScope();
            var chunk = decoder.Forward(z.narrow(2, i, 1), cache, firstChunk: i == 0);
            onChunk?.Invoke(i, chunk);
            chunks.Add(chunk.MoveToOuterDisposeScope());
        }
        return cat(chunks, 2).MoveToOuterDisposeScope();
    }

    // diffusers' tiled_decode: decode overlapping latent tiles, blend each with the (already blended) tiles above and
    // to its left, keep the stride-sized top-left part of each, crop. Sizes are in patchified pixels for Wan 2.2.
    private Tensor DecodeTiles(Tensor latents, WanVaeTiling tiling)
    {
        using var scope = NewDisposeScope();
        int ratio = Config.ScaleFactorSpatial, patch = Config.PatchSize ?? 1;
        long height = latents.shape[3], width = latents.shape[4];
        long sampleHeight = height * ratio / patch, sampleWidth = width * ratio / patch;
        int tileLatentHeight = tiling.MinHeight / ratio, tileLatentWidth = tiling.MinWidth / ratio;
        int strideLatentHeight = tiling.StrideHeight / ratio, strideLatentWidth = tiling.StrideWidth / ratio;
        if (tileLatentHeight < 1 || tileLatentWidth < 1 || strideLatentHeight < 1 || strideLatentWidth < 1)
            throw new ArgumentException($"tiles of {tiling.MinHeight}×{tiling.MinWidth} every {tiling.StrideHeight}×{tiling.StrideWidth} pixels are smaller than one latent cell ({ratio} pixels)");
        int strideHeight = tiling.StrideHeight / patch, strideWidth = tiling.StrideWidth / patch;
        int blendHeight = tiling.MinHeight / patch - strideHeight, blendWidth = tiling.MinWidth / patch - strideWidth;

        var rows = new List<List<Tensor>>();
        for (long i = 0; i < height; i += strideLatentHeight)
        {
            var row = new List<Tensor>();
            for (long j = 0; j < width; j += strideLatentWidth)
            {
                var tile = latents.narrow(3, i, Math.Min(tileLatentHeight, height - i)).narrow(4, j, Math.Min(tileLatentWidth, width - j));
                row.Add(DecodeChunks(post_quant_conv.forward(tile, null), null));
            }
            rows.Add(row);
        }

        var resultRows = new List<Tensor>();
        for (int i = 0; i < rows.Count; i++)
        {
            var resultRow = new List<Tensor>();
            for (int j = 0; j < rows[i].Count; j++)
            {
                var tile = rows[i][j];
                if (i > 0) Blend(rows[i - 1][j], tile, blendHeight, dim: 3);
                if (j > 0) Blend(rows[i][j - 1], tile, blendWidth, dim: 4);
                resultRow.Add(tile.narrow(3, 0, Math.Min(strideHeight, tile.shape[3])).narrow(4, 0, Math.Min(strideWidth, tile.shape[4])));
            }
            resultRows.Add(cat(resultRow, 4));
        }
        var video = cat(resultRows, 3);
        return video.narrow(3, 0, Math.Min(sampleHeight, video.shape[3])).narrow(4, 0, Math.Min(sampleWidth, video.shape[4])).MoveToOuterDisposeScope();
    }

    // In place, like diffusers' blend_v / blend_h: the first `extent` rows (or columns) of b fade from a's last ones.
    private static void Blend(Tensor a, Tensor b, int extent, int dim)
    {
        extent = (int)Math.Min(Math.Min(a.shape[dim], b.shape[dim]), extent);
        if (extent <= 0) return;
        using var scope = NewDisposeScope();
        var shape = new long[] { 1, 1, 1, 1, 1 };
        shape[dim] = extent;
        var weight = HeldScalars.Range(extent, ScalarType.Float64).DividedBy(extent).to(b.dtype).view(shape); // y / extent
        var mixed = (a.narrow(dim, a.shape[dim] - extent, extent) * weight.neg().Plus(1.0)).Plus(b.narrow(dim, 0, extent) * weight);
        b.narrow(dim, 0, extent).copy_(mixed);
    }

    /// <summary>
    /// Encodes the whole clip in one pass (no chunking). Causality makes this equal to <see cref="Encode"/> up to float
    /// rounding; it exists to test the chunk caches and needs memory proportional to the length.
    /// </summary>
    internal Tensor EncodeWhole(Tensor video)
    {
        CheckVideo(video);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        using var cache = new CausalCache();
        return quant_conv.forward(encoder.Forward(Patchify(video), cache, firstChunk: true), null).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes all latent frames in one pass (see <see cref="EncodeWhole"/>); unclamped when <paramref name="clamp"/> is false.</summary>
    internal Tensor DecodeWhole(Tensor latents, bool clamp = true)
    {
        CheckLatents(latents);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        using var cache = new CausalCache();
        var video = Unpatchify(decoder.Forward(post_quant_conv.forward(latents, null), cache, firstChunk: true));
        return (clamp ? video.ClampTo(-1.0, 1.0) : video).MoveToOuterDisposeScope();
    }

    /// <summary>Chunked decode as <see cref="Decode"/>, without the final clamp (for comparisons that a saturated clamp would hide).</summary>
    internal Tensor DecodeUnclamped(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var chunks = new List<Tensor>();
        Decode(latents, (_, chunk) => chunks.Add(chunk.clone().DetachFromDisposeScope()));
        try
        {
            return Unpatchify(cat(chunks, 2)).MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var c in chunks) c.Dispose();
        }
    }

    /// <summary>(μ − mean) / std per channel: the latent space the DiT works in.</summary>
    public Tensor NormalizeLatents(Tensor mean)
    {
        using var scope = NewDisposeScope();
        var (m, s) = Statistics(mean);
        return ((mean - m) / s).MoveToOuterDisposeScope();
    }

    /// <summary>z · std + mean per channel: back to what <see cref="Decode"/> takes.</summary>
    public Tensor DenormalizeLatents(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var (m, s) = Statistics(latents);
        return (latents * s).Plus(m).MoveToOuterDisposeScope();
    }

    private (Tensor Mean, Tensor Std) Statistics(Tensor like)
    {
        var shape = new long[] { 1, Config.ZDim, 1, 1, 1 };
        return (tensor(Config.LatentsMean, dtype: like.dtype, device: like.device).view(shape),
            tensor(Config.LatentsStd, dtype: like.dtype, device: like.device).view(shape));
    }

    // Wan 2.2: (B, C, T, H, W) → (B, C·p·p, T, H/p, W/p), channel = c·p² + col·p + row (einops "(c r q)").
    private Tensor Patchify(Tensor x)
    {
        int p = Config.PatchSize ?? 1;
        if (p == 1) return x.alias();
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        return x.view(b, c, t, h / p, p, w / p, p).permute(0, 1, 6, 4, 2, 3, 5).reshape(b, c * p * p, t, h / p, w / p);
    }

    private Tensor Unpatchify(Tensor x)
    {
        int p = Config.PatchSize ?? 1;
        if (p == 1) return x.alias();
        long b = x.shape[0], c = x.shape[1] / (p * p), t = x.shape[2], h = x.shape[3], w = x.shape[4];
        return x.view(b, c, p, p, t, h, w).permute(0, 1, 4, 5, 3, 6, 2).reshape(b, c, t, h * p, w * p);
    }

    private void CheckVideo(Tensor video)
    {
        ArgumentNullException.ThrowIfNull(video);
        if (video.dim() != 5) throw new ArgumentException($"a video must be (B, C, T, H, W), got [{string.Join(", ", video.shape)}]");
        int s = Config.SpatialCompression;
        if (video.shape[1] != Config.VideoChannels) throw new ArgumentException($"the VAE takes {Config.VideoChannels}-channel video, got {video.shape[1]} channels");
        if ((video.shape[2] - 1) % Config.TemporalCompression != 0)
            throw new ArgumentException($"frame count must be 1 + {Config.TemporalCompression}k, got {video.shape[2]}");
        if (video.shape[3] % s != 0 || video.shape[4] % s != 0)
            throw new ArgumentException($"height and width must be multiples of {s}, got {video.shape[3]}×{video.shape[4]}");
    }

    private void CheckLatents(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        if (latents.dim() != 5 || latents.shape[1] != Config.ZDim)
            throw new ArgumentException($"latents must be (B, {Config.ZDim}, T, H, W), got [{string.Join(", ", latents.shape)}]");
    }
}
