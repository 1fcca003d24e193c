using Kinema.Models;
using Kinema.Pipelines;
using Kinema.Training.Checkpoints;
using Kinema.Training.Data;
using Kinema.World;

namespace Kinema.Training.Tests;

/// <summary>Stage 2's scene pool and latent cache: clips come back as latents, exactly as they were encoded, and only to runs they fit.</summary>
public sealed class LatentCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-cache-").FullName;
    private static readonly VideoVaeConfig TinyVae = ModelPresets.Tiny(4).Vae;
    private static readonly ClipBucket Bucket = new(64, 64, 5, 2);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CachedLatents Entry(float offset) => new([2, 2, 3, 3], Enumerable.Range(0, 36).Select(i => i + offset).ToArray(), Enumerable.Range(0, 18).Select(i => (byte)(i % 2)).ToArray());

    [Fact]
    public void An_entry_reads_back_as_written()
    {
        var cache = LatentCache.Open(_root, TinyVae, 8, SplitName.Train);
        cache.Write(Bucket, 42, Entry(0.5f));
        var read = LatentCache.Open(_root, TinyVae, 8, SplitName.Train).TryRead(Bucket, 42)!;
        Assert.Equal([2L, 2, 3, 3], read.Shape);
        Assert.Equal(Entry(0.5f).Values, read.Values);
        Assert.Equal(Entry(0.5f).ObjectMask, read.ObjectMask);
        Assert.Null(cache.TryRead(Bucket, 43));
        Assert.Null(cache.TryRead(Bucket with { Frames = 9 }, 42));
    }

    [Fact]
    public void A_cut_short_entry_counts_as_missing()
    {
        var cache = LatentCache.Open(_root, TinyVae, 8, SplitName.Train);
        cache.Write(Bucket, 7, Entry(0));
        string file = Directory.GetFiles(_root, "*.latent", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^5]);
        Assert.Null(cache.TryRead(Bucket, 7));
    }

    [Fact]
    public void A_cache_of_another_vae_is_refused_by_name()
    {
        LatentCache.Open(_root, TinyVae, 8, SplitName.Train);
        var other = TinyVae with { LatentsMean = Enumerable.Repeat(0.5f, TinyVae.LatentChannels).ToArray() };
        var error = Assert.Throws<InvalidDataException>(() => LatentCache.Open(_root, other, 8, SplitName.Train));
        Assert.Contains("another VAE", error.Message);
        Assert.Contains(_root, error.Message);
    }

    [Fact]
    public void A_cache_of_another_frame_rate_or_split_is_refused()
    {
        LatentCache.Open(_root, TinyVae, 8, SplitName.Train);
        Assert.Contains("at 8 fps, this run renders 12", Assert.Throws<InvalidDataException>(() => LatentCache.Open(_root, TinyVae, 12, SplitName.Train)).Message);
        Assert.Contains("HeldOut", Assert.Throws<InvalidDataException>(() => LatentCache.Open(_root, TinyVae, 8, SplitName.HeldOut)).Message);
    }

    [Fact]
    public void A_pool_draws_every_clip_of_a_bucket_from_its_scenes_and_captions_afresh()
    {
        var source = new WorldBatchSource([Bucket], seed: 3) { ScenePool = 4 };
        var samples = Enumerable.Range(0, 30).SelectMany(step => source.Make(step).Samples).ToList();
        Assert.Equal(4, samples.Select(s => s.SceneSeed).Distinct().Count());
        var oneScene = samples.GroupBy(s => s.SceneSeed).First(g => g.Count() > 3);
        Assert.True(oneScene.Select(s => s.Caption).Distinct().Count() > 1, "captions of a pooled scene should vary");
    }

    [Fact]
    public void A_cached_clip_is_not_rendered()
    {
        var cache = LatentCache.Open(_root, TinyVae, 8, SplitName.Train);
        var first = new WorldBatchSource([Bucket], seed: 3) { ScenePool = 4, Cache = cache }.Make(0);
        cache.Write(Bucket, first.Samples[0].SceneSeed, Entry(1));
        var again = new WorldBatchSource([Bucket], seed: 3) { ScenePool = 4, Cache = cache }.Make(0);
        Assert.Empty(again.Samples[0].Frames);
        Assert.Equal(Entry(1).Values, again.Samples[0].Latents!.Values);
    }

    [Fact]
    public void A_killed_pooled_run_resumes_to_the_same_weights_from_its_cache()
    {
        string vaeFolder = Path.Combine(_root, "vae");
        TorchSharp.torch.manual_seed(0);
        using (var vae = new VideoVae(TinyVae)) VaeTrainer.Export(vae, TinyVae, vaeFolder);
        var shape = ModelPresets.Tiny(4);
        TrainingOptions Options(string name) => TinyRuns.Options(_root, name) with
        {
            Steps = 4, WarmupSteps = 1, CheckpointEvery = 2, PrefetchDepth = 2, ObjectWeight = 3,
            Buckets = ClipBucket.ParseList("64x64x1:2,64x64x5:2"), ScenePool = 2,
        };
        var straight = Options("straight");
        DitTrainer.Run(straight, vaeFolder, shape, _ => { }, CancellationToken.None);
        var interrupted = Options("interrupted");
        DitTrainer.Run(interrupted, vaeFolder, shape, _ => { }, CancellationToken.None);
        TinyRuns.KillAfterStep2(interrupted.RunFolder);
        DitTrainer.Run(interrupted, vaeFolder, shape, _ => { }, CancellationToken.None);

        // The resumed steps read latents that the first pass encoded, where the straight run had just encoded them.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(interrupted.RunFolder, "latent-cache"), "*.latent", SearchOption.AllDirectories));
        byte[] Final(string run) => File.ReadAllBytes(Path.Combine(run, "checkpoints", "step-0000004", CheckpointStore.WeightsFile));
        Assert.Equal(Final(straight.RunFolder), Final(interrupted.RunFolder));
    }

    [Fact]
    public void A_latent_cache_without_a_pool_is_refused()
        => Assert.Contains("--scene-pool", Assert.Throws<ArgumentException>(() => (TinyRuns.Options(_root, "x") with { LatentCacheFolder = _root }).Validate()).Message);
}
