using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kinema.Training.Optim;

/// <summary>
/// AdamW (Loshchilov & Hutter) with decoupled weight decay, written out so its whole state (two moments
/// per parameter and the step count) saves to safetensors and resumes bit-exactly. Biases and norm gains
/// (1-D parameters) are not decayed, as in nanoGPT.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> _parameters;
    private readonly Dictionary<string, (Tensor M, Tensor V)> _moments = new();

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8, double weightDecay = 0.01)
    {
        _parameters = parameters.Where(p => p.Parameter.requires_grad).ToList();
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        foreach (var (name, p) in _parameters)
            _moments[name] = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public long StepCount { get; private set; }

    public IEnumerable<Parameter> Parameters => _parameters.Select(p => p.Parameter);

    public void Step(double learningRate)
    {
        StepCount++;
        double correction1 = 1 - Math.Pow(Beta1, StepCount);
        double correction2 = 1 - Math.Pow(Beta2, StepCount);
        // Scalars are made once and held for the whole step: an implicit double→Scalar temporary can be
        // finalized by the GC while libtorch still reads it (seen as "Unknown scalar type" mid-run, and as
        // "Expected false to be true" from Scalar::toFloat inside add_ at step ~495 of a session-5 run).
        using var beta1 = Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var decay = (1 - learningRate * WeightDecay).ToScalar();
        using var secondCorrection = correction2.ToScalar();
        using var eps = Eps.ToScalar();
        using var one = 1.0.ToScalar();   // add_(Scalar) alone makes its alpha = 1 as just such a temporary
        using var stepSize = (-learningRate / correction1).ToScalar();
        using var noGrad = no_grad();
        foreach (var (name, p) in _parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            var (m, v) = _moments[name];
            m.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
            v.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            if (WeightDecay > 0 && p.dim() > 1) p.mul_(decay);
            var denominator = v.div(secondCorrection).sqrt_().add_(eps, one);
            p.addcdiv_(m, denominator, value: stepSize);
        }
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters) p.grad?.zero_();
    }

    /// <summary>Moments as named tensors ("m.NAME", "v.NAME") plus the step count, for checkpoints.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        foreach (var (name, (m, v)) in _moments)
        {
            yield return new($"m.{name}", m);
            yield return new($"v.{name}", v);
        }
    }

    public void LoadState(Func<string, Tensor> load, long stepCount)
    {
        using var noGrad = no_grad();
        foreach (var (name, (m, v)) in _moments)
        {
            using var savedM = load($"m.{name}");
            using var savedV = load($"v.{name}");
            m.copy_(savedM);
            v.copy_(savedV);
        }
        StepCount = stepCount;
    }

    public void Dispose()
    {
        foreach (var (m, v) in _moments.Values) { m.Dispose(); v.Dispose(); }
        _moments.Clear();
    }
}
