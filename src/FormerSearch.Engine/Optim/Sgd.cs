using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// Stochastic gradient descent exactly as <c>torch.optim.SGD</c>: weight decay is added to the
/// gradient, the momentum buffer starts as the first step's gradient, and later steps compute
/// <c>b = μ·b + (1−dampening)·d</c>; Nesterov uses <c>d + μ·b</c>. State slot: <c>momentum_buffer</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly double _momentum;
    private readonly double _dampening;
    private readonly bool _nesterov;

    /// <summary>One group holding <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">A setting is negative, or Nesterov is asked without momentum or with dampening.</exception>
    public Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>Several groups; their unset settings take these defaults.</summary>
    /// <exception cref="ArgumentException">A setting is negative, or Nesterov is asked without momentum or with dampening.</exception>
    public Sgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(groups, lr, weightDecay, ["momentum_buffer"], countsSteps: false)
    {
        _momentum = momentum;
        _dampening = dampening;
        _nesterov = nesterov;
        foreach (var g in ParamGroups)
        {
            double mu = g.Momentum ?? momentum, damp = g.Dampening ?? dampening;
            if (!(mu >= 0)) throw new ArgumentException($"Invalid SGD momentum {mu}: it must be non-negative.");
            if (g.Nesterov ?? nesterov)
                if (mu <= 0 || damp != 0) throw new ArgumentException($"Nesterov momentum requires a positive momentum and zero dampening (got momentum {mu}, dampening {damp}).");
        }
    }

    /// <inheritdoc/>
    public override void Step()
    {
        int index = 0;
        foreach (var g in Groups)
        {
            double mu = g.Momentum ?? _momentum;
            var baseCoefficients = new SgdKernel.Coefficients(
                NegLr: (float)-g.LearningRate,
                WeightDecay: (float)g.WeightDecay,
                Momentum: (float)mu,
                OneMinusDampening: (float)(1 - (g.Dampening ?? _dampening)),
                Nesterov: g.Nesterov ?? _nesterov,
                FirstStep: false);
            for (int k = 0; k < g.Parameters.Count; k++, index++)
            {
                var p = g.Parameters[k];
                if (p.Grad is not { } grad) continue;
                Tensor? buffer = null;
                var c = baseCoefficients;
                if (mu != 0)
                {
                    c = c with { FirstStep = Slots[0][index] is null };
                    buffer = SlotFor(0, index);
                }
                SgdKernel.Run(p.Value, grad, buffer, c);
            }
        }
    }
}
