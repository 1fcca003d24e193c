using Kinema.Pipelines;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Kinema.Cli;

/// <summary>
/// Shows generation progress: a live bar with step, it/s and ETA on a terminal, one plain line per step
/// when output is redirected (logs, CI, pipes). Spectre's display has a single owner: this class.
/// </summary>
public sealed class ProgressReporter
{
    private readonly IAnsiConsole _console;
    private readonly bool _interactive;

    public ProgressReporter(IAnsiConsole console, bool interactive)
    {
        _console = console;
        _interactive = interactive;
    }

    public static ProgressReporter ForStandardError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return new ProgressReporter(console, !Console.IsErrorRedirected && console.Profile.Capabilities.Interactive);
    }

    public async Task<T> RunAsync<T>(int totalSteps, Func<IProgress<GenerationProgress>, Task<T>> work)
    {
        if (!_interactive) return await work(new PlainProgress(_console));
        T result = default!;
        await _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new StepColumn(), new SpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var denoise = ctx.AddTask("denoising", maxValue: totalSteps);
                var decode = ctx.AddTask("decoding", autoStart: false);
                var progress = new Progress<GenerationProgress>(p =>
                {
                    if (p.Stage == GenerationStage.Denoising) { denoise.MaxValue = p.TotalSteps; denoise.Value = p.Step; }
                    else if (p.Stage == GenerationStage.Decoding)
                    {
                        denoise.Value = denoise.MaxValue;
                        if (!decode.IsStarted) { decode.MaxValue = p.TotalSteps; decode.StartTask(); }
                        decode.Value = p.Step;
                    }
                    else if (p.Stage == GenerationStage.Done)
                    {
                        denoise.Value = denoise.MaxValue;
                        if (decode.IsStarted) decode.Value = decode.MaxValue;
                    }
                });
                result = await work(progress);
            });
        return result;
    }

    private sealed class StepColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Spectre.Console.Text($"{task.Value:0}/{task.MaxValue:0}");
    }

    private sealed class SpeedColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Spectre.Console.Text(task.Speed is double s ? $"{s:0.00} it/s" : "-- it/s");
    }

    /// <summary>Synchronous reporter (reports arrive on the generation thread) writing one line per event.</summary>
    private sealed class PlainProgress(IAnsiConsole console) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress p)
        {
            switch (p.Stage)
            {
                case GenerationStage.EncodingText:
                    console.WriteLine("encoding prompt");
                    break;
                case GenerationStage.Denoising:
                    double rate = p.Step / Math.Max(p.Elapsed.TotalSeconds, 1e-9);
                    double eta = (p.TotalSteps - p.Step) / Math.Max(rate, 1e-9);
                    console.WriteLine($"step {p.Step}/{p.TotalSteps}  {rate:0.00} it/s  ETA {eta:0.0}s");
                    break;
                case GenerationStage.Decoding:
                    console.WriteLine($"decoding {p.Step}/{p.TotalSteps}");
                    break;
                case GenerationStage.Done:
                    console.WriteLine($"done in {p.Elapsed.TotalSeconds:0.0}s");
                    break;
            }
        }
    }
}
