using Kinema.Training.Data;
using Kinema.World;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Kinema.Training.Losses;

/// <summary>
/// Loss weights that favour the objects. Objects cover a few percent of a toy-world frame yet carry most of what a
/// caption asks for (colour, shape, count, motion), so an area-weighted loss hardly sees them. A pixel belongs to an
/// object where the clip differs from its scenery rendered alone.
/// </summary>
public static class ObjectWeights
{
    /// <summary>Pixels drawn differently from the scenery alone by more than this (0-255, any channel) belong to an object.</summary>
    public const int Threshold = 24;

    /// <summary>(B, 1, T, H, W): <paramref name="weight"/> on object pixels, 1 elsewhere.</summary>
    public static Tensor Pixels(TrainingBatch batch, double weight, double fps, Device device)
    {
        var bucket = batch.Bucket;
        int pixels = bucket.Width * bucket.Height;
        var weights = new float[batch.Samples.Count * bucket.Frames * pixels];
        var settings = new RenderSettings { Width = bucket.Width, Height = bucket.Height, Fps = fps, Seconds = bucket.Frames / fps, MaxDegreeOfParallelism = 1 };
        for (int i = 0; i < batch.Samples.Count; i++)
        {
            var sample = batch.Samples[i];
            var scenery = SceneRenderer.RenderScenery(sample.Scene, settings);
            for (int f = 0; f < bucket.Frames; f++)
            {
                byte[] drawn = sample.Frames[f].Pixels, empty = scenery[f].Pixels;
                int offset = (i * bucket.Frames + f) * pixels;
                for (int p = 0; p < pixels; p++)
                {
                    int o = 3 * p;
                    bool isObject = Math.Abs(drawn[o] - empty[o]) > Threshold || Math.Abs(drawn[o + 1] - empty[o + 1]) > Threshold
                        || Math.Abs(drawn[o + 2] - empty[o + 2]) > Threshold;
                    weights[offset + p] = isObject ? (float)weight : 1f;
                }
            }
        }
        return tensor(weights, new long[] { batch.Samples.Count, 1, bucket.Frames, bucket.Height, bucket.Width }).to(device);
    }

    /// <summary>
    /// Pixel weights (B, 1, 1 + temporal·k, H, W) brought onto the causal VAE's latent grid (B, 1, 1 + k, H / spatial,
    /// W / spatial): a latent voxel takes the largest weight among the pixels it encodes, so an object that crosses any
    /// part of it, in any of its frames, counts. Latent frame 0 encodes pixel frame 0 alone; latent frame j encodes
    /// pixel frames 1 + temporal·(j − 1) … temporal·j.
    /// </summary>
    public static Tensor Latents(Tensor pixelWeights, int spatial, int temporal)
    {
        using var scope = NewDisposeScope();
        long frames = pixelWeights.shape[2];
        if ((frames - 1) % temporal != 0)
            throw new ArgumentException($"{frames} frames do not fit the causal latent grid (1 + {temporal}·k)");
        // Repeating the first frame temporal − 1 times gives it a full window of its own.
        var first = pixelWeights.narrow(2, 0, 1);
        var padded = cat([first.expand(-1, -1, temporal - 1, -1, -1), pixelWeights], 2);
        return F.max_pool3d(padded, [temporal, spatial, spatial], [temporal, spatial, spatial]).MoveToOuterDisposeScope();
    }
}
