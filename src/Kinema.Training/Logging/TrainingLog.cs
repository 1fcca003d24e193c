using System.Globalization;

namespace Kinema.Training.Logging;

/// <summary>One row of the training log.</summary>
public sealed record LogRow(long Step, double Loss, double LearningRate, double SamplesPerSecond, double? Score, string Note = "");

/// <summary>
/// The run's CSV log (step, loss, lr, samples/s, judge score). On resume, rows after the resumed step are
/// dropped (they belong to work that was lost with the process) and the log continues from there.
/// </summary>
public sealed class TrainingLog
{
    public const string Header = "step,loss,lr,samples_per_s,score,note";
    private readonly string _path;

    public TrainingLog(string runFolder, long resumeStep)
    {
        _path = Path.Combine(runFolder, "log.csv");
        var kept = File.Exists(_path)
            ? File.ReadAllLines(_path).Skip(1).Where(l => long.TryParse(l.Split(',')[0], out long s) && s <= resumeStep).ToList()
            : [];
        IO.AtomicFile.WriteAllText(_path, string.Join('\n', new[] { Header }.Concat(kept)) + "\n");
    }

    public string FilePath => _path;

    public void Append(LogRow row)
    {
        string score = row.Score is double s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "";
        File.AppendAllText(_path, string.Create(CultureInfo.InvariantCulture,
            $"{row.Step},{row.Loss:0.000000},{row.LearningRate:0.00000000},{row.SamplesPerSecond:0.000},{score},{row.Note.Replace(',', ';')}\n"));
    }

    public static IReadOnlyList<LogRow> Read(string path)
        => File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var p = l.Split(',');
            return new LogRow(long.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture),
                double.Parse(p[2], CultureInfo.InvariantCulture), double.Parse(p[3], CultureInfo.InvariantCulture),
                p[4].Length > 0 ? double.Parse(p[4], CultureInfo.InvariantCulture) : null, p.Length > 5 ? p[5] : "");
        }).ToList();
}
