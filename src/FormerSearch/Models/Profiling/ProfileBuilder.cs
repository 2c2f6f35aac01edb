using FormerSearch.Engine;

namespace FormerSearch.Models.Profiling;

/// <summary>
/// Accumulates <see cref="LayerCost"/> rows from layer descriptions (no tensors are built), so a family's
/// profile reads like its forward pass. Every method returns the output size it describes. Counts are products of
/// sizes, so every product and sum is checked: a count that does not fit 64 bits is a refusal, never a negative number.
/// </summary>
public sealed class ProfileBuilder
{
    private readonly List<LayerCost> _layers = [];

    /// <summary>The rows so far.</summary>
    public IReadOnlyList<LayerCost> Layers => _layers;

    /// <summary>A 2-D convolution (with bias when <paramref name="bias"/>) on an <c>h×w</c> map; returns the output size.</summary>
    /// <exception cref="UserInputException">The kernel does not fit the padded input, or a count overflows.</exception>
    public (int H, int W) Conv2d(string name, int inChannels, int outChannels, int kernel, int stride, int padding, int h, int w, bool bias = true, int groups = 1)
    {
        int ho = ConvOut(name, h, kernel, stride, padding), wo = ConvOut(name, w, kernel, stride, padding);
        long perOutput = Product(name, inChannels / groups, kernel, kernel);
        long parameters = Sum(name, Product(name, outChannels, perOutput), bias ? outChannels : 0);
        _layers.Add(new LayerCost(name, "conv", [ho, wo, outChannels], parameters, Product(name, ho, wo, outChannels, perOutput)));
        return (ho, wo);
    }

    /// <summary>A linear layer applied to each of <paramref name="rows"/> positions (a 1×1 convolution counts the same).</summary>
    /// <exception cref="UserInputException">A count overflows.</exception>
    public void Linear(string name, int inFeatures, int outFeatures, IReadOnlyList<int> outputShape, long rows, bool bias = true, string kind = "linear") =>
        _layers.Add(new LayerCost(name, kind, outputShape, Sum(name, Product(name, inFeatures, outFeatures), bias ? outFeatures : 0), Product(name, rows, inFeatures, outFeatures)));

    /// <summary>A normalisation with a per-channel scale and shift (no MACs by convention).</summary>
    public void Norm(string name, string kind, int channels, IReadOnlyList<int> outputShape, bool affine = true) =>
        _layers.Add(new LayerCost(name, kind, outputShape, affine ? 2L * channels : 0, 0));

    /// <summary>The two matrix products of multi-head attention over <paramref name="tokens"/> tokens of width <paramref name="dim"/>: q·kᵀ and attn·v, <c>N²·dim</c> MACs each.</summary>
    /// <exception cref="UserInputException">A count overflows.</exception>
    public void AttentionProducts(string name, int tokens, int dim, IReadOnlyList<int> outputShape) =>
        _layers.Add(new LayerCost(name, "attention", outputShape, 0, Product(name, 2, tokens, tokens, dim)));

    /// <summary>A parameter-free, MAC-free layer (pooling, activation, identity), listed so the table follows the forward pass.</summary>
    public void Free(string name, string kind, IReadOnlyList<int> outputShape) =>
        _layers.Add(new LayerCost(name, kind, outputShape, 0, 0));

    /// <summary>A parameter tensor owned directly by a block (layer scale, position embedding, class token); no MACs.</summary>
    public void Tensor(string name, string kind, IReadOnlyList<int> outputShape, long elements) =>
        _layers.Add(new LayerCost(name, kind, outputShape, elements, 0));

    /// <summary>The finished profile.</summary>
    /// <exception cref="UserInputException">The total parameters or MACs overflow 64 bits.</exception>
    public ModelProfile Build(string model, ModelInput input, int numClasses)
    {
        long parameters = 0, macs = 0;
        foreach (var l in _layers)
        {
            parameters = Sum(model, parameters, l.Params);
            macs = Sum(model, macs, l.Macs);
        }
        return new ModelProfile(model, input, numClasses, parameters, macs, _layers.ToArray());
    }

    /// <summary>Output length of a convolution as PyTorch computes it, <c>⌊(n + 2p − k)/s⌋ + 1</c>.</summary>
    /// <exception cref="UserInputException">The kernel does not fit the padded input (the image is too small for the model).</exception>
    public static int ConvOut(string name, int n, int kernel, int stride, int padding)
    {
        if (n + 2L * padding < kernel)
            throw new UserInputException($"The input is too small for {name}: a side of {n} with padding {padding} is smaller than its {kernel}×{kernel} kernel.");
        return (int)((n + 2L * padding - kernel) / stride + 1);
    }

    /// <summary>The product of <paramref name="factors"/>, or a refusal naming <paramref name="name"/> when it overflows 64 bits.</summary>
    /// <exception cref="UserInputException">The product does not fit a <see cref="long"/>.</exception>
    public static long Product(string name, params ReadOnlySpan<long> factors)
    {
        long product = 1;
        try
        {
            foreach (long f in factors) product = checked(product * f);
        }
        catch (OverflowException)
        {
            throw TooLarge(name);
        }
        return product;
    }

    private static long Sum(string name, long a, long b)
    {
        try
        {
            return checked(a + b);
        }
        catch (OverflowException)
        {
            throw TooLarge(name);
        }
    }

    private static UserInputException TooLarge(string name) =>
        new($"The parameters or multiply-accumulates of {name} do not fit a 64-bit count: the model is too large to profile.");
}
