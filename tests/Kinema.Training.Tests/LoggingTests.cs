using Kinema.Media;
using Kinema.Training.Checkpoints;
using Kinema.Training.Logging;
using Kinema.Training.Losses;
using Kinema.Runtime;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

public sealed class LoggingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kinema-log-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Resuming_drops_log_rows_after_the_checkpoint()
    {
        var log = new TrainingLog(_root, resumeStep: -1);
        for (int s = 1; s <= 5; s++) log.Append(new LogRow(s, 1.0 / s, 1e-3, 2.0, s == 5 ? 42 : null));
        _ = new TrainingLog(_root, resumeStep: 3);
        Assert.Equal([1L, 2, 3], TrainingLog.Read(Path.Combine(_root, "log.csv")).Select(r => r.Step).ToArray());
    }

    [Fact]
    public void Scores_round_trip_through_the_csv()
    {
        var log = new TrainingLog(_root, resumeStep: -1);
        log.Append(new LogRow(10, 0.5, 1e-4, 3.0, 61.25, "128x128x17"));
        var row = TrainingLog.Read(log.FilePath).Single();
        Assert.Equal((10L, 0.5, 61.25, "128x128x17"), (row.Step, row.Loss, row.Score!.Value, row.Note));
    }

    [Fact]
    public void The_plot_is_a_png_with_curves_drawn()
    {
        string path = Path.Combine(_root, "log.png");
        LossPlot.Write(path, Enumerable.Range(1, 50).Select(s => new LogRow(s, 1.0 / s, 1e-3, 1, s % 10 == 0 ? s : null)).ToList());
        var image = ImageFile.Read(path);
        Assert.Equal((720, 400), (image.Width, image.Height));
        int blue = 0;
        for (int i = 0; i < image.Pixels.Length; i += 3) if (image.Pixels[i] == 30 && image.Pixels[i + 1] == 90 && image.Pixels[i + 2] == 200) blue++;
        Assert.True(blue > 200, $"only {blue} loss-curve pixels");
    }

    [Fact]
    public void A_half_written_checkpoint_is_never_the_latest()
    {
        var store = new CheckpointStore(_root);
        Directory.CreateDirectory(Path.Combine(store.Folder, ".step-0000009.saving-x"));
        Assert.Null(store.LatestPath());
    }

    [Fact]
    public void Ssim_is_one_for_identical_videos_and_lower_for_different_ones()
    {
        TorchRuntime.EnsureLoaded();
        using var a = rand(new long[] { 1, 3, 2, 16, 16 }) * 2 - 1;
        using var b = rand(new long[] { 1, 3, 2, 16, 16 }) * 2 - 1;
        Assert.Equal(1.0f, Ssim.Mean(a, a).item<float>(), 4);
        Assert.True(Ssim.Mean(a, b).item<float>() < 0.5f);
    }

    [Fact]
    public void A_missing_latest_target_falls_back_to_the_newest_complete_checkpoint()
    {
        var store = new CheckpointStore(_root);
        foreach (var step in new[] { 2, 4 })
        {
            string dir = Path.Combine(store.Folder, $"step-{step:D7}");
            Directory.CreateDirectory(dir);
            foreach (var f in new[] { CheckpointStore.WeightsFile, CheckpointStore.EmaFile, CheckpointStore.OptimizerFile, CheckpointStore.StateFile })
                File.WriteAllText(Path.Combine(dir, f), "x");
        }
        File.WriteAllText(Path.Combine(store.Folder, "LATEST"), "step-0000006");
        Assert.EndsWith("step-0000004", store.LatestPath());
    }
}
