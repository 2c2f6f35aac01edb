using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>Beta and Gamma samples from a <see cref="Generator"/> (for mixup and cutmix's mixing ratio).</summary>
public static class BetaDistribution
{
    /// <summary>A Beta(<paramref name="alpha"/>, <paramref name="beta"/>) sample, as X/(X+Y) with X ~ Gamma(α), Y ~ Gamma(β).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not positive.</exception>
    public static double Sample(Generator rng, double alpha, double beta)
    {
        double x = Gamma(rng, alpha), y = Gamma(rng, beta);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    /// <summary>A Gamma(<paramref name="shape"/>, 1) sample (Marsaglia–Tsang; shapes below 1 via the U^(1/a) boost).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shape"/> is not positive.</exception>
    public static double Gamma(Generator rng, double shape)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "The Gamma shape must be positive.");
        if (shape < 1)
        {
            double u = rng.NextDouble();
            return Gamma(rng, shape + 1) * Math.Pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = rng.NextGaussian();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }
}
