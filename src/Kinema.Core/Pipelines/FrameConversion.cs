using Kinema.Runtime;
using Kinema.Media;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Pipelines;

/// <summary>Between decoder tensors in [-1, 1] and 8-bit RGB frames.</summary>
public static class FrameConversion
{
    /// <summary>(1, 3, T, H, W) in [-1, 1] → T frames.</summary>
    public static List<RgbFrame> ToFrames(Tensor video)
    {
        if (video.dim() != 5 || video.shape[0] != 1 || video.shape[1] != 3)
            throw new ArgumentException($"expected a (1, 3, frames, height, width) video, got [{string.Join(", ", video.shape)}]");
        using var scope = NewDisposeScope();
        int t = (int)video.shape[2], h = (int)video.shape[3], w = (int)video.shape[4];
        var bytes = video[0].to(ScalarType.Float32).Plus(1).Times(127.5).round().ClampTo(0, 255).to(ScalarType.Byte)
            .permute(1, 2, 3, 0).contiguous().cpu();                             // (T, H, W, 3)
        var all = bytes.data<byte>().ToArray();
        int frameBytes = h * w * 3;
        var frames = new List<RgbFrame>(t);
        for (int i = 0; i < t; i++) frames.Add(new RgbFrame(w, h, all.AsSpan(i * frameBytes, frameBytes).ToArray()));
        return frames;
    }

    /// <summary>Frames → (1, 3, T, H, W) in [-1, 1] as float32 on the CPU.</summary>
    public static Tensor ToTensor(IReadOnlyList<RgbFrame> frames)
    {
        if (frames.Count == 0) throw new ArgumentException("at least one frame is needed");
        int w = frames[0].Width, h = frames[0].Height;
        var all = new byte[frames.Count * w * h * 3];
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].Width != w || frames[i].Height != h)
                throw new ArgumentException($"frame {i} is {frames[i].Width}x{frames[i].Height}, expected {w}x{h} like frame 0");
            frames[i].Pixels.CopyTo(all, i * w * h * 3);
        }
        using var scope = NewDisposeScope();
        // Held Scalars: an implicit float→Scalar temporary can be finalized by the GC while libtorch reads it
        // ("Unknown scalar type" from div, seen in a training run that converts every batch here).
        using var halfRange = 127.5f.ToScalar();
        using var minusOne = (-1f).ToScalar();
        using var one = 1f.ToScalar();
        var video = tensor(all, new long[] { frames.Count, h, w, 3 }).to(ScalarType.Float32).div(halfRange).add(minusOne, one)
            .permute(3, 0, 1, 2).unsqueeze(0).contiguous();
        return video.MoveToOuterDisposeScope();
    }
}
