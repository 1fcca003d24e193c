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
}
