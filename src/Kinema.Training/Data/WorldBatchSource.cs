using Kinema.World;

namespace Kinema.Training.Data;

/// <summary>
/// Batches rendered from the toy world. Everything about step s — bucket, scenes, captions — is a pure
/// function of (seed, s), so a resumed run sees exactly the data it would have seen, with no iterator
/// state to save.
/// </summary>
/// <remarks>
/// By default every clip is a new scene. With a <see cref="ScenePool"/> of n, each bucket draws its scenes from n fixed
/// ones (a caption is still drawn afresh each time), so that a <see cref="Cache"/> can hand back their latents instead
/// of their pixels: such samples are not rendered at all.
/// </remarks>
public sealed class WorldBatchSource(IReadOnlyList<ClipBucket> buckets, int seed, double fps = 8, SplitName split = SplitName.Train)
{
    public IReadOnlyList<ClipBucket> Buckets { get; } = buckets.Count > 0 ? buckets : throw new ArgumentException("no buckets");

    /// <summary>Scenes per bucket to draw from; 0 draws a new scene for every clip.</summary>
    public int ScenePool { get; init; }

    /// <summary>Where latents of pooled scenes are looked up (only with a <see cref="ScenePool"/>).</summary>
    public LatentCache? Cache { get; init; }

    public TrainingBatch Make(long step)
    {
        var random = new Random(Mix(seed, step, 0));
        int bucketIndex = random.Next(Buckets.Count);
        var bucket = Buckets[bucketIndex];
        var samples = new TrainingSample[bucket.BatchSize];
        for (int i = 0; i < samples.Length; i++)
        {
            int drawSeed = Mix(seed, step, i + 1) & 0x3fffffff;
            int sceneSeed = ScenePool > 0 ? Mix(seed, -1 - bucketIndex, 1 + random.Next(ScenePool)) & 0x3fffffff : drawSeed;
            var scene = SceneSampler.Sample(sceneSeed, split);
            string caption = CaptionGenerator.Generate(scene, drawSeed, split);
            var cached = ScenePool > 0 ? Cache?.TryRead(bucket, sceneSeed) : null;
            var settings = new RenderSettings { Width = bucket.Width, Height = bucket.Height, Fps = fps, Seconds = bucket.Frames / fps, MaxDegreeOfParallelism = 1 };
            samples[i] = new TrainingSample(scene, caption, cached is null ? SceneRenderer.Render(scene, settings) : [], sceneSeed, cached);
        }
        return new TrainingBatch(step, bucket, samples);
    }

    internal static int Mix(int seed, long step, int item)
    {
        ulong h = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xBF58476D1CE4E5B9UL ^ (ulong)item * 0x94D049BB133111EBUL;
        h ^= h >> 31; h *= 0xD6E8FEB86659FD93UL; h ^= h >> 32;
        return (int)(h & 0x7fffffff);
    }
}
