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

    public string? LatestPath()
    {
        string pointer = Path.Combine(Folder, "LATEST");
        if (!File.Exists(pointer)) return null;
        string path = Path.Combine(Folder, File.ReadAllText(pointer).Trim());
        return Directory.Exists(path) ? path : null;
    }

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
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(staging, target);
            AtomicFile.WriteAllText(Path.Combine(Folder, "LATEST"), name);
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
