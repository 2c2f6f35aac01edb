using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled norm over the last (channel) dimension with an affine weight and bias (official <c>LayerNormSuper</c>):
/// the largest weight (1) and bias (0), of which a subnet of width <c>C</c> normalises its <c>C</c> channels with the
/// first <c>C</c> elements of each.
/// </summary>
public abstract class SlicedChannelNorm : Layer, ISlicedLayer, ISlicedByWidth
{
    /// <summary>A norm of at most <paramref name="maxChannels"/> channels, every channel active.</summary>
    /// <exception cref="ArgumentException"><paramref name="maxChannels"/> is not positive.</exception>
    protected SlicedChannelNorm(int maxChannels, float eps)
    {
        if (maxChannels < 1) throw new ArgumentException($"A sliced norm needs a positive width; got {maxChannels}.");
        MaxChannels = maxChannels;
        Eps = eps;
        Weight = RegisterParameter("weight", new Parameter(maxChannels));
        Bias = RegisterParameter("bias", new Parameter(maxChannels));
        Init.Ones(Weight.Value);
        ActiveChannels = maxChannels;
    }

    /// <summary>Largest width.</summary>
    public int MaxChannels { get; }

    /// <summary>Epsilon added to the variance.</summary>
    public float Eps { get; }

    /// <summary>The whole weight.</summary>
    public Parameter Weight { get; }

    /// <summary>The whole bias.</summary>
    public Parameter Bias { get; }

    /// <summary>Active width.</summary>
    public int ActiveChannels { get; private set; }

    /// <inheritdoc/>
    public void Activate(int width)
    {
        if (width < 1 || width > MaxChannels) throw new ArgumentException($"A sliced norm of at most {MaxChannels} channels cannot run {width}.");
        ActiveChannels = width;
    }

    /// <summary>The norm over the last dimension of <paramref name="x"/> with the first <see cref="ActiveChannels"/> weights and biases.</summary>
    /// <exception cref="ArgumentException">The input is not <see cref="ActiveChannels"/> wide.</exception>
    public override Tensor Forward(Tensor x)
    {
        int c = x.Size(-1);
        if (c != ActiveChannels) throw new ArgumentException($"This sliced norm's active width is {ActiveChannels}; got {Tensor.FormatShape(x.Shape)}.");
        return Normalize(x, Weight.Value.Narrow(0, 0, c), Bias.Value.Narrow(0, 0, c));
    }

    /// <inheritdoc/>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        yield return new ActiveTensor("weight", Weight.Value.Narrow(0, 0, ActiveChannels));
        yield return new ActiveTensor("bias", Bias.Value.Narrow(0, 0, ActiveChannels));
    }

    /// <summary>The norm of <paramref name="x"/> with the active <paramref name="weight"/> and <paramref name="bias"/>.</summary>
    protected abstract Tensor Normalize(Tensor x, Tensor weight, Tensor bias);
}
