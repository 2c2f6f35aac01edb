using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// Adam with decoupled weight decay exactly as <c>torch.optim.AdamW</c> (no amsgrad):
/// <c>p ← p·(1 − lr·wd)</c>, then the bias-corrected Adam step. State slots: <c>exp_avg</c>,
/// <c>exp_avg_sq</c>, and the per-parameter <c>step</c>.
/// </summary>
public sealed class AdamW : Optimizer
{
    private readonly (double Beta1, double Beta2) _betas;
    private readonly double _eps;

    /// <summary>One group holding <paramref name="parameters"/>; <paramref name="betas"/> defaults to (0.9, 0.999).</summary>
    /// <exception cref="ArgumentException">A β is outside [0, 1) or ε is negative.</exception>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8, double weightDecay = 0.01)
        : this([new ParamGroup(parameters)], lr, betas, eps, weightDecay) { }

    /// <summary>Several groups; their unset settings take these defaults.</summary>
    /// <exception cref="ArgumentException">A β is outside [0, 1) or ε is negative.</exception>
    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8, double weightDecay = 0.01)
        : base(groups, lr, weightDecay, ["exp_avg", "exp_avg_sq"], countsSteps: true)
    {
        _betas = betas ?? (0.9, 0.999);
        _eps = eps;
        foreach (var g in ParamGroups)
        {
            var (b1, b2) = g.Betas ?? _betas;
            if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1)) throw new ArgumentException($"Invalid AdamW betas ({b1}, {b2}): each must be in [0, 1).");
            if (!((g.Eps ?? eps) >= 0)) throw new ArgumentException($"Invalid AdamW eps {g.Eps ?? eps}: it must be non-negative.");
        }
    }

    /// <inheritdoc/>
    public override void Step()
    {
        int index = 0;
        foreach (var g in Groups)
        {
            var (b1, b2) = g.Betas ?? _betas;
            double lr = g.LearningRate;
            for (int k = 0; k < g.Parameters.Count; k++, index++)
            {
                var p = g.Parameters[k];
                if (p.Grad is not { } grad) continue;
                long step = ++Steps[index];
                // As torch: scalars in double, rounded to float where they meet the float tensors.
                double bc1 = 1 - Math.Pow(b1, step);
                double bc2 = 1 - Math.Pow(b2, step);
                var c = new AdamWKernel.Coefficients(
                    Decay: (float)(1 - lr * g.WeightDecay),
                    Beta1: (float)b1,
                    OneMinusBeta1: (float)(1 - b1),
                    Beta2: (float)b2,
                    OneMinusBeta2: (float)(1 - b2),
                    Bc2Sqrt: (float)Math.Sqrt(bc2),
                    Eps: (float)(g.Eps ?? _eps),
                    NegStepSize: (float)(-(lr / bc1)));
                AdamWKernel.Run(p.Value, grad, SlotFor(0, index), SlotFor(1, index), c);
            }
        }
    }
}
