using System.Diagnostics;
using Kinema.Runtime;
using Kinema.Training.Checkpoints;
using Kinema.Training.Data;
using Kinema.Training.Logging;
using Kinema.Training.Optim;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Training;

/// <summary>
/// The loop both stages share: prefetched data, AdamW with warm-up and cosine decay, gradient clipping,
/// EMA, CSV log and plot, checkpoints that resume exactly. A stage supplies the loss for a batch, and
/// optionally a validation.
/// </summary>
public sealed class TrainingLoop
{
    public delegate Tensor LossFunction(TrainingBatch batch, long step);

    private readonly TrainingOptions _options;
    private readonly string _stage;
    private readonly nn.Module _trained;
    private readonly ExponentialMovingAverage _ema;
    private readonly Action<string> _say;

    public TrainingLoop(string stage, TrainingOptions options, nn.Module trained, nn.Module emaCopy, Action<string> say)
    {
        _stage = stage;
        _options = options;
        _trained = trained;
        _ema = new ExponentialMovingAverage(trained, emaCopy, options.EmaDecay);
        _say = say;
    }

    /// <summary>Called after a checkpoint-worthy point; returns a score for the log, or null.</summary>
    public Func<long, double?>? Validation { get; init; }

    /// <summary>Runs from the latest checkpoint (or step 0) to <see cref="TrainingOptions.Steps"/>; returns the final step.</summary>
    public long Run(Func<long, TrainingBatch> makeBatch, LossFunction loss, CancellationToken cancellation)
    {
        var store = new CheckpointStore(_options.RunFolder);
        using var adam = new AdamW(_trained.named_parameters().Select(p => (p.name, p.parameter)), weightDecay: _options.WeightDecay);
        var schedule = new LearningRateSchedule(_options.LearningRate, _options.WarmupSteps, _options.Steps);
        long step = Resume(store, adam);
        foreach (var change in _options.RecordOrCompare())
            _say($"{_stage}: warning: this run was started with different settings ({change}); the schedule or data continue from the new ones");
        var log = new TrainingLog(_options.RunFolder, step);
        if (step >= _options.Steps) { _say($"{_stage}: already trained to step {step}"); return step; }
        _say($"{_stage}: training steps {step}..{_options.Steps - 1} on {_options.Device}");

        using var prefetch = new BatchPrefetcher(makeBatch, step, _options.PrefetchDepth);
        var clock = Stopwatch.StartNew();
        long samplesSinceLog = 0;
        double lossSum = 0;
        int lossCount = 0;
        double lastLoss = double.NaN;
        _trained.train();
        while (step < _options.Steps)
        {
            if (cancellation.IsCancellationRequested)
            {
                SaveCheckpoint(store, adam, step, lastLoss);
                _say($"{_stage}: stopped at step {step}; checkpoint saved, resume with the same command");
                cancellation.ThrowIfCancellationRequested();
            }
            var batch = prefetch.Take(step);
            double lr = schedule.At(step);
            using (var scope = NewDisposeScope())
            {
                var value = loss(batch, step);
                value.backward();
                nn.utils.clip_grad_norm_(adam.Parameters, _options.GradientClip);
                adam.Step(lr);
                adam.ZeroGrad();
                lastLoss = value.item<float>();
            }
            if (!double.IsFinite(lastLoss)) throw new InvalidOperationException($"{_stage}: loss became {lastLoss} at step {step}; lower the learning rate and resume from the last checkpoint");
            _ema.Update(step);
            lossSum += lastLoss; lossCount++;
            samplesSinceLog += batch.Samples.Count;
            step++;

            bool checkpoint = step % _options.CheckpointEvery == 0 || step == _options.Steps;
            bool validate = Validation is not null && _options.ValidateEvery > 0 && (step % _options.ValidateEvery == 0 || step == _options.Steps);
            if (step % _options.LogEvery == 0 || checkpoint || validate)
            {
                double rate = samplesSinceLog / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                double? score = validate ? Validation!(step) : null;
                log.Append(new LogRow(step, lossSum / lossCount, lr, rate, score, batch.Bucket.ToString()));
                _say($"{_stage} step {step}/{_options.Steps}  loss {lossSum / lossCount:0.00000}  lr {lr:0.0e0}  {rate:0.00} samples/s{(score is double s ? $"  score {s:0.0}" : "")}");
                clock.Restart(); samplesSinceLog = 0; lossSum = 0; lossCount = 0;
                LossPlot.Write(Path.Combine(_options.RunFolder, "log.png"), TrainingLog.Read(log.FilePath));
            }
            if (checkpoint) SaveCheckpoint(store, adam, step, lastLoss);
        }
        return step;
    }

    private long Resume(CheckpointStore store, AdamW adam)
    {
        string? latest = store.LatestPath();
        if (latest is null)
        {
            _ema.CopyFromTrained();
            return 0;
        }
        var state = CheckpointStore.ReadState(latest);
        if (state.Stage != _stage) throw new InvalidDataException($"{latest} is a '{state.Stage}' checkpoint, not '{_stage}'");
        using (var weights = ShardedSafeTensors.Open(Path.Combine(latest, CheckpointStore.WeightsFile))) StateDictLoader.Load(_trained, weights, _stage);
        using (var ema = ShardedSafeTensors.Open(Path.Combine(latest, CheckpointStore.EmaFile))) StateDictLoader.Load(_ema.Average, ema, _stage + " (ema)");
        using (var optimizer = ShardedSafeTensors.Open(Path.Combine(latest, CheckpointStore.OptimizerFile)))
        {
            var device = _trained.parameters().First().device;
            adam.LoadState(name => optimizer.Load(name, device: device), state.OptimizerSteps);
        }
        _say($"{_stage}: resumed from {latest} (step {state.Step})");
        return state.Step;
    }

    private void SaveCheckpoint(CheckpointStore store, AdamW adam, long step, double lastLoss)
    {
        using var scope = NewDisposeScope();
        static IEnumerable<KeyValuePair<string, Tensor>> Cpu(IEnumerable<(string Name, Tensor Tensor)> items)
            => items.Select(i => new KeyValuePair<string, Tensor>(i.Name, i.Tensor.detach().cpu())).ToList();
        var path = store.Save(new CheckpointState(_stage, step, adam.StepCount, lastLoss, DateTime.UtcNow),
            Cpu(_trained.state_dict().Select(kv => (kv.Key, kv.Value))),
            Cpu(_ema.Average.state_dict().Select(kv => (kv.Key, kv.Value))),
            Cpu(adam.StateTensors().Select(kv => (kv.Key, kv.Value))));
        _say($"{_stage}: checkpoint {path}");
    }

    /// <summary>A generator seeded from (seed, step, stream): per-step randomness with no state to save.</summary>
    public static Generator StepGenerator(int seed, long step, int stream)
        => new((ulong)WorldBatchSource.Mix(seed, step, 100_000 + stream));

    public static Device ResolveDevice(string name)
    {
        TorchRuntime.EnsureLoaded();
        var device = TorchRuntime.ResolveDevice(name);
        if (device.type == DeviceType.CUDA)
        {
            // No autocast in TorchSharp; TF32 tensor cores give most of the mixed-precision speed on CUDA.
            backends.cuda.matmul.allow_tf32 = true;
            backends.cudnn.allow_tf32 = true;
        }
        return device;
    }
}
