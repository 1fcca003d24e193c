using Kinema.World;

namespace Kinema.Training.Data;

/// <summary>
/// Batches rendered from the toy world. Everything about step s — bucket, scenes, captions — is a pure
/// function of (seed, s), so a resumed run sees exactly the data it would have seen, with no iterator
/// state to save.
/// </summary>
public sealed class WorldBatchSource(IReadOnlyList<ClipBucket> buckets, int seed, double fps = 8, SplitName split = SplitName.Train)
{
    public IReadOnlyList<ClipBucket> Buckets { get; } = buckets.Count > 0 ? buckets : throw new ArgumentException("no buckets");

    public TrainingBatch Make(long step)
    {
        var random = new Random(Mix(seed, step, 0));
        var bucket = Buckets[random.Next(Buckets.Count)];
        var samples = new TrainingSample[bucket.BatchSize];
        for (int i = 0; i < samples.Length; i++)
        {
            int sceneSeed = Mix(seed, step, i + 1) & 0x3fffffff;
            var scene = SceneSampler.Sample(sceneSeed, split);
            string caption = CaptionGenerator.Generate(scene, sceneSeed, split);
            var settings = new RenderSettings { Width = bucket.Width, Height = bucket.Height, Fps = fps, Seconds = bucket.Frames / fps, MaxDegreeOfParallelism = 1 };
            samples[i] = new TrainingSample(scene, caption, SceneRenderer.Render(scene, settings));
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
