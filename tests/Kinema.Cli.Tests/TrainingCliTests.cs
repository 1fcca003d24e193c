using Kinema.Media;

namespace Kinema.Cli.Tests;

/// <summary>The training path as a user runs it: stage 1, stage 2, export, generate with the result, evaluate.</summary>
public sealed class TrainingCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-train-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Ok(params string[] args)
    {
        var result = CliRunner.Run(args, timeoutSeconds: 300);
        Assert.True(result.ExitCode == 0, $"kinema {string.Join(' ', args)} failed:\n{result.StdErr}\n{result.StdOut}");
    }

    [Fact]
    public void Train_both_stages_export_and_generate_with_the_trained_model()
    {
        string vae = Path.Combine(_root, "vae"), dit = Path.Combine(_root, "dit"), model = Path.Combine(_root, "model");
        Ok("train", "vae", "--run", vae, "--preset", "tiny", "--steps", "2", "--warmup", "1", "--buckets", "64x64x5:1",
            "--validate-every", "0", "--statistics-clips", "1", "--evaluation-clips", "1");
        Assert.True(File.Exists(Path.Combine(vae, "export", "vae.safetensors")));
        Assert.True(File.Exists(Path.Combine(vae, "log.csv")));
        var vaeEval = CliRunner.Run(["eval", "vae", "--vae", Path.Combine(vae, "export"), "--count", "1"], timeoutSeconds: 300);
        Assert.True(vaeEval.ExitCode == 0, vaeEval.StdErr);
        Assert.Contains("\"psnr\"", vaeEval.StdOut);
        Assert.Contains("\"judder_round_trip\"", vaeEval.StdOut);

        string linear = Path.Combine(_root, "vae-linear");
        var decoder = CliRunner.Run(["train", "vae", "--run", linear, "--preset", "tiny", "--init-from", Path.Combine(vae, "export"), "--decoder-only",
            "--temporal-upsampling", "linear", "--steps", "1", "--warmup", "0", "--buckets", "64x64x5:1", "--validate-every", "0", "--evaluation-clips", "1"], timeoutSeconds: 300);
        Assert.True(decoder.ExitCode == 0, decoder.StdErr);
        Assert.Contains("time doubled by linear in place of repeat", decoder.StdOut);
        Assert.Contains("\"temporal_upsampling\": \"linear\"", File.ReadAllText(Path.Combine(linear, "export", "vae.json")));

        Ok("train", "dit", "--run", dit, "--vae", Path.Combine(vae, "export"), "--preset", "tiny", "--steps", "2", "--warmup", "1",
            "--buckets", "64x64x5:1", "--validate-every", "2", "--vocabulary-scenes", "30", "--validation-samples", "1", "--temporal-weight", "0.5");
        Assert.Contains(",", File.ReadAllLines(Path.Combine(dit, "log.csv"))[^1]);
        Assert.Contains("\"temporal_weight\": \"0.5\"", File.ReadAllText(Path.Combine(dit, "training.json")));
        Assert.True(File.Exists(Path.Combine(dit, "log.png")));

        Ok("train", "export", "--run", dit, "--vae", Path.Combine(vae, "export"), "--out", model, "--name", "tiny-trained");
        string video = Path.Combine(_root, "v.mp4");
        Ok("generate", "a red ball", "--model", model, "--size", "64x64", "--seconds", "1", "--steps", "2", "-o", video);
        Assert.Equal(8, VideoFile.Probe(video).FrameCount);

        var eval = CliRunner.Run(["eval", "adherence", "--model", model, "--split", "heldout", "--count", "1"], timeoutSeconds: 300);
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        Assert.Contains("\"mean_overall\"", eval.StdOut);
        Assert.Matches("\"judder\": [0-9]", eval.StdOut);   // 8 frames at 4x temporal compression hold hand-overs
        Assert.Matches("\"mean_change\": [0-9]", eval.StdOut);
        Assert.Matches("\"truth_mean_change\": [0-9]", eval.StdOut);
        var captions = CliRunner.Run(["eval", "captions", "--model", model, "--count", "2"], timeoutSeconds: 300);
        Assert.True(captions.ExitCode == 0, captions.StdErr);
        Assert.Contains("\"caption_gain\"", captions.StdOut);

        var warm = CliRunner.Run(["train", "dit", "--run", Path.Combine(_root, "warm"), "--vae", Path.Combine(vae, "export"), "--preset", "tiny",
            "--steps", "1", "--warmup", "0", "--buckets", "64x64x1:1", "--validate-every", "0", "--vocabulary-scenes", "30", "--init-from", model,
            "--object-weight", "3", "--object-weight-max-sigma", "0.5", "--output-refiner"], timeoutSeconds: 300);
        Assert.True(warm.ExitCode == 0, warm.StdErr);
        Assert.Contains("warm start from " + model, warm.StdOut);
        Assert.Contains("output_refiner.conv_out.weight", warm.StdOut);   // new in this run: named as starting fresh
        Assert.Contains("\"output_refiner\": true", File.ReadAllText(Path.Combine(_root, "warm", "model-config.json")));
        Assert.Contains("\"object_weight_max_sigma\": \"0.5\"", File.ReadAllText(Path.Combine(_root, "warm", "training.json")));

        var freshText = CliRunner.Run(["train", "dit", "--run", Path.Combine(_root, "fresh-text"), "--vae", Path.Combine(vae, "export"), "--preset", "tiny",
            "--steps", "1", "--warmup", "0", "--buckets", "64x64x1:1", "--validate-every", "0", "--vocabulary-scenes", "30", "--init-from", model, "--fresh-text", "--pooled-text"], timeoutSeconds: 300);
        Assert.True(freshText.ExitCode == 0, freshText.StdErr);
        Assert.Contains("text path starts fresh", freshText.StdOut);
        Assert.Contains("text_pool.weight", freshText.StdOut);   // the pooled path is new: named as starting fresh
        Assert.Contains("\"pooled_text\": true", File.ReadAllText(Path.Combine(_root, "fresh-text", "model-config.json")));

        string soup = Path.Combine(_root, "soup");
        Ok("train", "average", "--model", model, "--with", model, "--weight", "0.3", "--out", soup, "--name", "tiny-soup");
        Assert.Contains("\"name\": \"tiny-soup\"", File.ReadAllText(Path.Combine(soup, "config.json")));
        Assert.Equal(new FileInfo(Path.Combine(model, "transformer.safetensors")).Length, new FileInfo(Path.Combine(soup, "transformer.safetensors")).Length);

        string cache = Path.Combine(_root, "latents");
        var pooled = CliRunner.Run(["train", "dit", "--run", Path.Combine(_root, "pooled"), "--vae", Path.Combine(vae, "export"), "--preset", "tiny",
            "--steps", "4", "--warmup", "0", "--buckets", "64x64x5:1", "--validate-every", "0", "--vocabulary-scenes", "30", "--scene-pool", "2", "--latent-cache", cache], timeoutSeconds: 300);
        Assert.True(pooled.ExitCode == 0, pooled.StdErr);
        Assert.Contains("pool of 2", pooled.StdOut);
        int entries = Directory.GetFiles(cache, "*.latent", SearchOption.AllDirectories).Length;
        Assert.InRange(entries, 1, 2);   // four steps, two scenes: at least one came back from the cache
        Assert.Contains("\"scene_pool\": \"2\"", File.ReadAllText(Path.Combine(_root, "pooled", "training.json")));
    }

    [Fact]
    public void An_average_weight_above_one_exits_2_naming_it()
        => ExitsTwoNaming(["train", "average", "--model", Path.Combine(_root, "a"), "--with", Path.Combine(_root, "b"), "--weight", "2", "--out", Path.Combine(_root, "x")], "--weight");

    [Fact]
    public void A_latent_cache_without_a_scene_pool_exits_2_naming_both()
        => ExitsTwoNaming(["train", "dit", "--run", Path.Combine(_root, "x"), "--vae", Path.Combine(_root, "no-vae"), "--latent-cache", Path.Combine(_root, "c")],
            "--latent-cache", "--scene-pool");

    /// <summary>Runs kinema with <paramref name="args"/> and checks it exits 2 with every one of <paramref name="named"/> in its error.</summary>
    private static void ExitsTwoNaming(string[] args, params string[] named)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        foreach (var text in named) Assert.Contains(text, result.StdErr);
    }

    [Fact]
    public void An_object_weight_max_sigma_above_one_exits_2_naming_it()
        => ExitsTwoNaming(["train", "dit", "--run", Path.Combine(_root, "x"), "--vae", Path.Combine(_root, "no-vae"), "--object-weight-max-sigma", "2"],
            "object weight max sigma must be in (0, 1], got 2");

    [Fact]
    public void An_unknown_temporal_upsampling_exits_2_naming_it()
        => ExitsTwoNaming(["train", "vae", "--run", Path.Combine(_root, "x"), "--temporal-upsampling", "cubic"], "cubic", "--temporal-upsampling");

    [Fact]
    public void A_bad_bucket_exits_2_with_the_expected_form()
        => ExitsTwoNaming(["train", "vae", "--run", Path.Combine(_root, "x"), "--buckets", "64x64:2"], "WxHxF:BATCH");
}
