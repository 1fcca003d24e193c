using System.Text.Json;
using Kinema.IO;
using Kinema.Weights;
using static TorchSharp.torch;

namespace Kinema.Training.Checkpoints;

/// <summary>Scalar state of a run at a checkpoint: enough, with the tensors, to continue exactly.</summary>
public sealed record CheckpointState(string Stage, long Step, long OptimizerSteps, double LastLoss, DateTime SavedAt);

/// <summary>
/// Checkpoints under RUN/checkpoints/step-NNNNNNN/ (weights.safetensors, ema.safetensors,
/// optimizer.safetensors, state.json) and a LATEST pointer. Each is written to a staging folder and
/// renamed into place, and LATEST changes only after that, so a run killed mid-save resumes from the
/// previous checkpoint and loses nothing.
/// </summary>
public sealed class CheckpointStore(string runFolder, int keep = 3)
{
    public const string WeightsFile = "weights.safetensors";
    public const string EmaFile = "ema.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";

    public string Folder { get; } = Path.Combine(runFolder, "checkpoints");

    /// <summary>
    /// The checkpoint LATEST names or, if that folder is gone (a save of the same step cut short), the
    /// newest complete one; null for a run that has none.
    /// </summary>
    public string? LatestPath()
    {
        string pointer = Path.Combine(Folder, "LATEST");
        if (File.Exists(pointer))
        {
            string path = Path.Combine(Folder, File.ReadAllText(pointer).Trim());
            if (IsComplete(path)) return path;
        }
        if (!Directory.Exists(Folder)) return null;
        return Directory.GetDirectories(Folder, "step-*").Where(IsComplete).Order(StringComparer.Ordinal).LastOrDefault();
    }

    private static bool IsComplete(string path)
        => Directory.Exists(path) && new[] { WeightsFile, EmaFile, OptimizerFile, StateFile }.All(f => File.Exists(Path.Combine(path, f)));

    public string Save(CheckpointState state, IEnumerable<KeyValuePair<string, Tensor>> weights, IEnumerable<KeyValuePair<string, Tensor>> ema, IEnumerable<KeyValuePair<string, Tensor>> optimizer)
    {
        Directory.CreateDirectory(Folder);
        string name = $"step-{state.Step:D7}";
        string target = Path.Combine(Folder, name);
        string staging = Path.Combine(Folder, $".{name}.saving-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            SafeTensors.Save(Path.Combine(staging, WeightsFile), weights);
            SafeTensors.Save(Path.Combine(staging, EmaFile), ema);
            SafeTensors.Save(Path.Combine(staging, OptimizerFile), optimizer);
            File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(state, Json.Options));
            // Re-saving a step: set the old copy aside first, so a kill at any point leaves one complete copy.
            string? previous = null;
            if (Directory.Exists(target))
            {
                previous = Path.Combine(Folder, $".{name}.previous-{Guid.NewGuid():N}");
                Directory.Move(target, previous);
            }
            Directory.Move(staging, target);
            AtomicFile.WriteAllText(Path.Combine(Folder, "LATEST"), name);
            if (previous is not null) Directory.Delete(previous, recursive: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        Prune(name);
        return target;
    }

    public static CheckpointState ReadState(string checkpoint)
        => JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(Path.Combine(checkpoint, StateFile)), Json.Options)
           ?? throw new InvalidDataException($"{checkpoint}: empty state.json");

    private void Prune(string newest)
    {
        var old = Directory.GetDirectories(Folder, "step-*").Select(Path.GetFileName).Where(n => n != newest).Order().ToList();
        foreach (var name in old.Take(Math.Max(0, old.Count - (keep - 1)))) Directory.Delete(Path.Combine(Folder, name!), recursive: true);
    }
}
