using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Optim;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradClip
{
    /// <summary>
    /// The norm of all gradients together (as if concatenated), summed in double in parameter order;
    /// when <c>maxNorm / (total + 1e-6)</c> is below 1 every gradient is multiplied by it. Parameters
    /// without a gradient are ignored.
    /// </summary>
    /// <param name="normType">p of the p-norm; <see cref="double.PositiveInfinity"/> for the max norm.</param>
    /// <returns>The total norm before clipping (NaN or ∞ if a gradient is not finite; gradients are then scaled by NaN or 0 as PyTorch does).</returns>
    /// <exception cref="ArgumentException"><paramref name="normType"/> is not positive, or <paramref name="maxNorm"/> is negative.</exception>
    public static double ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm, double normType = 2)
    {
        if (!(normType > 0)) throw new ArgumentException($"Invalid norm type {normType}: it must be positive (or infinity).", nameof(normType));
        if (!(maxNorm >= 0)) throw new ArgumentException($"Invalid maximum norm {maxNorm}: it must be non-negative.", nameof(maxNorm));
        double total = 0;
        bool any = false;
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            any = true;
            var span = g.AsSpan();
            if (double.IsPositiveInfinity(normType))
            {
                double m = GradNormKernel.MaxAbs(span);
                total = double.IsNaN(m) || double.IsNaN(total) ? double.NaN : Math.Max(total, m);
            }
            else if (normType == 2) total += GradNormKernel.SumOfSquares(span);
            else total += GradNormKernel.SumOfPowers(span, normType);
        }
        if (!any) return 0;
        if (!double.IsPositiveInfinity(normType)) total = normType == 2 ? Math.Sqrt(total) : Math.Pow(total, 1 / normType);

        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1 || double.IsNaN(coefficient))
        {
            float c = (float)coefficient;
            foreach (var p in parameters)
                if (p.Grad is { } g) System.Numerics.Tensors.TensorPrimitives.Multiply(g.AsSpan(), c, g.AsSpan());
        }
        return total;
    }
}
