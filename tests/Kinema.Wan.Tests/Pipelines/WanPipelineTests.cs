using System.Text.Json.Nodes;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Runtime;
using Kinema.Wan.Loading;
using Kinema.Wan.Pipelines;
using Kinema.Wan.RandomWeights;

namespace Kinema.Wan.Tests.Pipelines;

/// <summary>The whole Wan pipeline on the tiny random folder (written once per class: it takes about a second).</summary>
public sealed class WanPipelineTests : IClassFixture<WanPipelineTests.TinyFolder>
{
    public sealed class TinyFolder : IDisposable
    {
        private readonly TempFolder _folder = new();

        public TinyFolder()
        {
            TorchRuntime.EnsureLoaded();
            RandomWanFolder.Write(_folder.Path, WanVariant.Tiny, seed: 2);
        }

        public string Path => _folder.Path;

        public void Dispose() => _folder.Dispose();
    }

    private readonly TinyFolder _tiny;

    public WanPipelineTests(TinyFolder tiny) => _tiny = tiny;

    // 5 frames (1 + 4) at 8 fps, 32x32: two latent frames of 4x4.
    private static VideoRequest Request(long seed) => new()
    {
        Prompt = "a red fox runs through snow", Width = 32, Height = 32, Seconds = 5 / 8.0, Fps = 8, Steps = 2, Seed = seed,
    };

    [Fact]
    public void Block_offload_gives_the_same_frames()
    {
        var whole = new WanPipeline(WanModel.Open(_tiny.Path)).Generate(Request(7));
        var offloaded = new WanPipeline(WanModel.Open(_tiny.Path, new WanLoadOptions { BlockOffload = true })).Generate(Request(7));
        Assert.All(whole.Frames.Zip(offloaded.Frames), p => Assert.True(p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void Same_seed_gives_identical_frames_and_another_seed_differs()
    {
        var pipeline = new WanPipeline(WanModel.Open(_tiny.Path));
        var progress = new List<GenerationProgress>();
        var a = pipeline.Generate(Request(7), new SyncProgress(progress.Add));
        var b = pipeline.Generate(Request(7));
        var c = pipeline.Generate(Request(8));

        Assert.Equal(5, a.Frames.Count);
        Assert.Equal((32, 32, 8), (a.Width, a.Height, a.Fps));
        Assert.All(a.Frames.Zip(b.Frames), p => Assert.True(p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
        Assert.False(a.Frames.Zip(c.Frames).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
        Assert.Equal(WanDefaults.DefaultNegativePrompt, a.Metadata.NegativePrompt);
        Assert.Equal(3.0, a.Metadata.Shift); // from scheduler_config.json
        Assert.Equal([1, 2], progress.Where(p => p.Stage == GenerationStage.Denoising).Select(p => p.Step));
        Assert.Contains(progress, p => p.Stage == GenerationStage.Decoding);
    }

    [Fact]
    public async Task Cancellation_stops_the_generation()
    {
        var pipeline = new WanPipeline(WanModel.Open(_tiny.Path));
        using var cancel = new CancellationTokenSource();
        // Cancel as soon as the first denoising step reports: the loop must stop before the next one.
        var progress = new SyncProgress(p => { if (p.Stage == GenerationStage.Denoising) cancel.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.GenerateAsync(Request(1) with { Steps = 5 }, progress, cancel.Token));
    }

    [Theory]
    [InlineData(40, 32, 1.0, "width must be a multiple of 16")]
    [InlineData(32, 32, 0.5, "Wan generates 1 + 4k frames; 0.5 s at 8 fps is 4 frames (nearest: 1 frames = --seconds 0.125, or 5 frames = --seconds 0.625)")]
    public void Bad_sizes_and_frame_counts_are_named(int width, int height, double seconds, string expected)
    {
        var model = WanModel.Open(_tiny.Path);
        var error = Assert.Throws<InvalidRequestException>(() => WanRequestValidator.Resolve(Request(0) with { Width = width, Height = height, Seconds = seconds }, model));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_guidance_interval_is_refused_rather_than_ignored()
    {
        var model = WanModel.Open(_tiny.Path);
        var error = Assert.Throws<InvalidRequestException>(() => WanRequestValidator.Resolve(Request(0) with { GuidanceMinSigma = 0.5 }, model));
        Assert.Contains("--guidance-min-sigma is not supported", error.Message);
    }

    [Fact]
    public void An_eta_is_refused_since_unipc_draws_no_fresh_noise()
    {
        var model = WanModel.Open(_tiny.Path);
        var error = Assert.Throws<InvalidRequestException>(() => WanRequestValidator.Resolve(Request(0) with { Eta = 0.8 }, model));
        Assert.Contains("--eta is not supported", error.Message);
    }

    [Fact]
    public void A_folder_missing_its_vae_or_with_a_mismatched_text_encoder_is_named()
    {
        using var copy = new TempFolder();
        RandomWanFolder.Write(copy.Path, WanVariant.Tiny, seed: 1);
        Assert.True(WanModel.IsWanFolder(copy.Path));
        Directory.Delete(copy.Combine("vae"), recursive: true);
        var missing = Assert.Throws<WanCheckpointException>(() => WanModel.Open(copy.Path));
        Assert.Equal("vae", missing.Component);
        Assert.Contains("does not exist", missing.Message);

        using var other = new TempFolder();
        RandomWanFolder.Write(other.Path, WanVariant.Tiny, seed: 1);
        var config = JsonNode.Parse(File.ReadAllText(other.Combine("text_encoder", "config.json")))!;
        config["d_model"] = 48;
        File.WriteAllText(other.Combine("text_encoder", "config.json"), config.ToJsonString());
        var mismatch = Assert.Throws<WanCheckpointException>(() => WanModel.Open(other.Path));
        Assert.Contains("d_model 48 does not match the transformer's text_dim 32", mismatch.Message);

        Assert.False(WanModel.IsWanFolder(other.Combine("vae")));
    }

    [Fact]
    public void TI2V_keeps_the_first_frame_latent_clean()
    {
        using var copy = new TempFolder();
        RandomWanFolder.Write(copy.Path, WanVariant.Tiny, seed: 1);
        // The tiny folder with Wan 2.2's per-token timesteps switched on (TI2V-5B itself is too large for a test).
        var index = JsonNode.Parse(File.ReadAllText(copy.Combine("model_index.json")))!;
        index["expand_timesteps"] = true;
        File.WriteAllText(copy.Combine("model_index.json"), index.ToJsonString());
        var pipeline = new WanPipeline(WanModel.Open(copy.Path));
        var image = new RgbFrame(32, 32, Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(i * 7 % 251)).ToArray());

        var withImage = pipeline.Generate(Request(3), firstFrame: image);
        var withOther = pipeline.Generate(Request(3), firstFrame: new RgbFrame(32, 32, new byte[32 * 32 * 3]));
        var textOnly = pipeline.Generate(Request(3));
        Assert.Equal(5, withImage.Frames.Count);
        Assert.False(withImage.Frames[0].Pixels.AsSpan().SequenceEqual(withOther.Frames[0].Pixels));
        Assert.False(withImage.Frames[0].Pixels.AsSpan().SequenceEqual(textOnly.Frames[0].Pixels));
        Assert.Throws<InvalidRequestException>(() => pipeline.Generate(Request(3), firstFrame: new RgbFrame(16, 16, new byte[16 * 16 * 3])));
    }

    /// <summary>Reports synchronously on the generating thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
