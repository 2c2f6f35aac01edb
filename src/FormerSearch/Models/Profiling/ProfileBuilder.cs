using FormerSearch.Engine;

namespace FormerSearch.Models.Profiling;

/// <summary>
/// Accumulates <see cref="LayerCost"/> rows from layer descriptions (no tensors are built), so a family's
/// profile reads like its forward pass. Every method returns the output size it describes.
/// </summary>
public sealed class ProfileBuilder
{
    private readonly List<LayerCost> _layers = [];

    /// <summary>The rows so far.</summary>
    public IReadOnlyList<LayerCost> Layers => _layers;

    /// <summary>A 2-D convolution (with bias when <paramref name="bias"/>) on an <c>h×w</c> map; returns the output size.</summary>
    /// <exception cref="UserInputException">The kernel does not fit the padded input.</exception>
    public (int H, int W) Conv2d(string name, int inChannels, int outChannels, int kernel, int stride, int padding, int h, int w, bool bias = true, int groups = 1)
    {
        int ho = ConvOut(name, h, kernel, stride, padding), wo = ConvOut(name, w, kernel, stride, padding);
        long perOutput = (long)(inChannels / groups) * kernel * kernel;
        long parameters = outChannels * perOutput + (bias ? outChannels : 0);
        _layers.Add(new LayerCost(name, "conv", [ho, wo, outChannels], parameters, (long)ho * wo * outChannels * perOutput));
        return (ho, wo);
    }

    /// <summary>A linear layer applied to each of <paramref name="rows"/> positions (a 1×1 convolution counts the same).</summary>
    public void Linear(string name, int inFeatures, int outFeatures, IReadOnlyList<int> outputShape, long rows, bool bias = true, string kind = "linear") =>
        _layers.Add(new LayerCost(name, kind, outputShape, (long)inFeatures * outFeatures + (bias ? outFeatures : 0), rows * inFeatures * outFeatures));

    /// <summary>A normalisation with a per-channel scale and shift (no MACs by convention).</summary>
    public void Norm(string name, string kind, int channels, IReadOnlyList<int> outputShape, bool affine = true) =>
        _layers.Add(new LayerCost(name, kind, outputShape, affine ? 2L * channels : 0, 0));

    /// <summary>The two matrix products of multi-head attention over <paramref name="tokens"/> tokens of width <paramref name="dim"/>: q·kᵀ and attn·v, <c>N²·dim</c> MACs each.</summary>
    public void AttentionProducts(string name, int tokens, int dim, IReadOnlyList<int> outputShape) =>
        _layers.Add(new LayerCost(name, "attention", outputShape, 0, 2L * tokens * tokens * dim));

    /// <summary>A parameter-free, MAC-free layer (pooling, activation, identity), listed so the table follows the forward pass.</summary>
    public void Free(string name, string kind, IReadOnlyList<int> outputShape) =>
        _layers.Add(new LayerCost(name, kind, outputShape, 0, 0));

    /// <summary>A parameter tensor owned directly by a block (layer scale, position embedding, class token); no MACs.</summary>
    public void Tensor(string name, string kind, IReadOnlyList<int> outputShape, long elements) =>
        _layers.Add(new LayerCost(name, kind, outputShape, elements, 0));

    /// <summary>The finished profile.</summary>
    public ModelProfile Build(string model, ModelInput input, int numClasses)
    {
        long parameters = 0, macs = 0;
        foreach (var l in _layers)
        {
            parameters += l.Params;
            macs += l.Macs;
        }
        return new ModelProfile(model, input, numClasses, parameters, macs, _layers.ToArray());
    }

    /// <summary>Output length of a convolution as PyTorch computes it, <c>⌊(n + 2p − k)/s⌋ + 1</c>.</summary>
    /// <exception cref="UserInputException">The kernel does not fit the padded input (the image is too small for the model).</exception>
    public static int ConvOut(string name, int n, int kernel, int stride, int padding)
    {
        if (n + 2 * padding < kernel)
            throw new UserInputException($"The input is too small for {name}: a side of {n} with padding {padding} is smaller than its {kernel}×{kernel} kernel.");
        return (n + 2 * padding - kernel) / stride + 1;
    }
}
