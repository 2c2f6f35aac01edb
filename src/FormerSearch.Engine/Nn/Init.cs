namespace FormerSearch.Engine.Nn;

/// <summary>
/// Weight initialisers as <c>torch.nn.init</c> and timm define them, drawing from a
/// <see cref="Generator"/> so a seed fixes a model. Each fills a contiguous tensor in place and
/// returns it. Fans follow PyTorch for Linear weights <c>[out, in]</c> and for our channels-last
/// convolution weights <c>[out, kh, kw, in/groups]</c> (fan_in = in/groups·kh·kw, fan_out = out·kh·kw),
/// which gives the same numbers PyTorch computes for the same weight in its <c>[out, in, kh, kw]</c> layout.
/// </summary>
public static class Init
{
    /// <summary>Fills with U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <exception cref="InvalidOperationException">The tensor is a strided view.</exception>
    public static Tensor Uniform(Tensor tensor, Generator generator, double low = 0, double high = 1)
    {
        generator.FillUniform(tensor.AsSpan(), (float)low, (float)high);
        return tensor;
    }

    /// <summary>Fills with N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal(Tensor tensor, Generator generator, double mean = 0, double std = 1)
    {
        generator.FillNormal(tensor.AsSpan(), (float)mean, (float)std);
        return tensor;
    }

    /// <summary>
    /// Fills with N(<paramref name="mean"/>, <paramref name="std"/>²) truncated to [<paramref name="a"/>, <paramref name="b"/>],
    /// timm's <c>trunc_normal_</c>: the bounds are absolute values, not multiples of std (so with
    /// std 0.02 the default ±2 cuts nothing). Sampled exactly by rejection.
    /// </summary>
    /// <exception cref="ArgumentException">std is not positive, a ≥ b, or [a, b] holds less than 0.1% of the distribution's mass.</exception>
    public static Tensor TruncNormal(Tensor tensor, Generator generator, double mean = 0, double std = 1, double a = -2, double b = 2)
    {
        if (!(std > 0)) throw new ArgumentException($"TruncNormal needs a positive std, got {std}.", nameof(std));
        if (!(a < b)) throw new ArgumentException($"TruncNormal needs a < b, got [{a}, {b}].", nameof(a));
        double mass = NormalCdf((b - mean) / std) - NormalCdf((a - mean) / std);
        // Rejection is exact; it is only slow when the interval sits far in a tail, which no sane initialiser asks for.
        if (mass < 1e-3)
            throw new ArgumentException($"TruncNormal bounds [{a}, {b}] hold only {mass:G3} of N({mean}, {std}²); choose bounds nearer the mean.", nameof(a));
        var span = tensor.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            double x;
            do x = mean + std * generator.NextGaussian();
            while (x < a || x > b);
            // Rounding to float may step just outside the bounds; clamp as timm does.
            span[i] = Math.Clamp((float)x, (float)a, (float)b);
        }
        return tensor;
    }

    /// <summary>
    /// <c>kaiming_uniform_</c>: U(−bound, bound) with bound = gain·√(3 / fan). PyTorch's Linear and Conv
    /// default is <paramref name="a"/> = √5 with leaky ReLU, which gives bound = 1/√fan_in.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or a zero fan.</exception>
    public static Tensor KaimingUniform(Tensor tensor, Generator generator, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
    {
        double std = Gain(nonlinearity, a) / Math.Sqrt(NonZeroFan(tensor, mode));
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, generator, -bound, bound);
    }

    /// <summary>
    /// The default of PyTorch's <c>nn.Linear</c> and <c>nn.ConvNd</c> (<c>reset_parameters</c>):
    /// kaiming_uniform(a = √5) for the weight, which is U(±1/√fan_in), and U(±1/√fan_in) for the bias.
    /// </summary>
    /// <exception cref="ArgumentException">The weight has fewer than 2 dimensions or a zero fan.</exception>
    public static void LinearOrConvDefault(Tensor weight, Tensor? bias, Generator generator)
    {
        KaimingUniform(weight, generator, a: Math.Sqrt(5.0));
        if (bias is null) return;
        double bound = 1.0 / Math.Sqrt(Fans(weight.Shape).FanIn);
        Uniform(bias, generator, -bound, bound);
    }

    /// <summary><c>kaiming_normal_</c>: N(0, std²) with std = gain/√fan.</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or a zero fan.</exception>
    public static Tensor KaimingNormal(Tensor tensor, Generator generator, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
    {
        double std = Gain(nonlinearity, a) / Math.Sqrt(NonZeroFan(tensor, mode));
        return Normal(tensor, generator, 0, std);
    }

    /// <summary><c>xavier_uniform_</c>: U(−bound, bound) with bound = gain·√(6 / (fan_in + fan_out)).</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is empty.</exception>
    public static Tensor XavierUniform(Tensor tensor, Generator generator, double gain = 1)
    {
        var (fanIn, fanOut) = Fans(tensor.Shape);
        if (fanIn + fanOut == 0) throw new ArgumentException($"XavierUniform cannot initialise the empty tensor {Tensor.FormatShape(tensor.Shape)}.", nameof(tensor));
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, generator, -bound, bound);
    }

    /// <summary><c>xavier_normal_</c>: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions or is empty.</exception>
    public static Tensor XavierNormal(Tensor tensor, Generator generator, double gain = 1)
    {
        var (fanIn, fanOut) = Fans(tensor.Shape);
        if (fanIn + fanOut == 0) throw new ArgumentException($"XavierNormal cannot initialise the empty tensor {Tensor.FormatShape(tensor.Shape)}.", nameof(tensor));
        return Normal(tensor, generator, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Fills with ones.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        tensor.AsSpan().Fill((float)value);
        return tensor;
    }

    /// <summary>
    /// (fan_in, fan_out) of a weight: <c>[out, in]</c> for Linear, <c>[out, k…, in/groups]</c> for
    /// channels-last convolutions: fan_in = size(−1)·Π kernel, fan_out = size(0)·Π kernel.
    /// </summary>
    /// <exception cref="ArgumentException">The shape has fewer than 2 dimensions (PyTorch refuses those too).</exception>
    public static (long FanIn, long FanOut) Fans(ReadOnlySpan<int> shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"Fan in and fan out cannot be computed for shape {Tensor.FormatShape(shape)} with fewer than 2 dimensions.", nameof(shape));
        long receptive = 1;
        for (int d = 1; d < shape.Length - 1; d++) receptive *= shape[d];
        return (shape[^1] * receptive, shape[0] * receptive);
    }

    /// <summary>PyTorch's <c>calculate_gain</c>; <paramref name="param"/> is the leaky ReLU negative slope.</summary>
    public static double Gain(Nonlinearity nonlinearity, double param = 0) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Conv or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + param * param)),
        Nonlinearity.Selu => 3.0 / 4,
        _ => throw new ArgumentException($"Unknown nonlinearity {nonlinearity}.", nameof(nonlinearity)),
    };

    private static long NonZeroFan(Tensor tensor, FanMode mode)
    {
        var (fanIn, fanOut) = Fans(tensor.Shape);
        long fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan == 0) throw new ArgumentException($"Kaiming initialisation of {Tensor.FormatShape(tensor.Shape)} has a zero {mode}.", nameof(tensor));
        return fan;
    }

    // Φ(x) via erfc; the Numerical Recipes Chebyshev erfc (fractional error < 1.2e-7) is ample for a rejection guard.
    internal static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2.0));

    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
