using Kinema.Training.Data;

namespace Kinema.Training.Tests;

public class DataTests
{
    private static readonly IReadOnlyList<ClipBucket> Buckets = ClipBucket.ParseList("64x64x5:2,96x64x1:3");

    [Fact]
    public void A_batch_is_a_pure_function_of_seed_and_step()
    {
        var source = new WorldBatchSource(Buckets, seed: 4);
        var a = source.Make(17);
        var b = new WorldBatchSource(Buckets, seed: 4).Make(17);
        Assert.Equal(a.Bucket, b.Bucket);
        Assert.Equal(a.Samples.Select(s => s.Caption), b.Samples.Select(s => s.Caption));
        Assert.Equal(a.Samples[0].Frames[^1].Pixels, b.Samples[0].Frames[^1].Pixels);
    }

    [Fact]
    public void Different_steps_give_different_clips()
        => Assert.NotEqual(new WorldBatchSource(Buckets, 4).Make(1).Samples[0].Caption, new WorldBatchSource(Buckets, 4).Make(2).Samples[0].Caption);

    [Fact]
    public void Clips_have_their_bucket_shape()
    {
        var source = new WorldBatchSource(Buckets, seed: 9);
        for (int step = 0; step < 6; step++)
        {
            var batch = source.Make(step);
            Assert.Equal(batch.Bucket.BatchSize, batch.Samples.Count);
            Assert.All(batch.Samples, s =>
            {
                Assert.Equal(batch.Bucket.Frames, s.Frames.Count);
                Assert.Equal((batch.Bucket.Width, batch.Bucket.Height), (s.Frames[0].Width, s.Frames[0].Height));
            });
        }
    }

    [Fact]
    public void Both_buckets_are_used()
    {
        var source = new WorldBatchSource(Buckets, seed: 1);
        var seen = Enumerable.Range(0, 20).Select(s => source.Make(s).Bucket).Distinct().Count();
        Assert.Equal(2, seen);
    }

    [Fact]
    public void Prefetched_batches_arrive_in_step_order()
    {
        using var prefetch = new BatchPrefetcher(step => new TrainingBatch(step, Buckets[0], []), firstStep: 5, depth: 3);
        Assert.Equal([5L, 6, 7, 8, 9], Enumerable.Range(5, 5).Select(s => prefetch.Take(s).Step).ToArray());
    }

    [Theory]
    [InlineData("64x64x6:2", "1 + 4k")]
    [InlineData("60x64x5:2", "multiples of 16")]
    [InlineData("64x64x5", "WxHxF:BATCH")]
    public void Bad_buckets_are_rejected_with_the_reason(string text, string reason)
        => Assert.Contains(reason, Assert.Throws<ArgumentException>(() => ClipBucket.ParseList(text)).Message);
}
