using Kinema.Training.Data;

namespace Kinema.Training.Tests;

/// <summary>The settings every test run shares: tiny clips, a checkpoint each step, no validation, little data.</summary>
internal static class TinyRuns
{
    public static TrainingOptions Options(string root, string name) => new()
    {
        RunFolder = Path.Combine(root, name),
        Steps = 1,
        WarmupSteps = 0,
        CheckpointEvery = 1,
        ValidateEvery = 0,
        PrefetchDepth = 1,
        Buckets = ClipBucket.ParseList("64x64x1:1"),
        StatisticsClips = 1,
        EvaluationClips = 1,
        VocabularyScenes = 50,
    };

    /// <summary>Rolls a finished four-step run back to its step-2 checkpoint, as if the process had died right after saving it.</summary>
    public static void KillAfterStep2(string run)
    {
        string checkpoints = Path.Combine(run, "checkpoints");
        Directory.Delete(Path.Combine(checkpoints, "step-0000004"), recursive: true);
        File.WriteAllText(Path.Combine(checkpoints, "LATEST"), "step-0000002");
        Directory.CreateDirectory(Path.Combine(checkpoints, ".step-0000004.saving-deadbeef"));  // a save cut short
    }
}
