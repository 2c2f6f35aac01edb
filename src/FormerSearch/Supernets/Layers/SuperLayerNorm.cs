using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled LayerNorm (official <c>LayerNormSuper</c>): the largest affine weight and bias, of which a subnet of
/// width <c>d</c> normalises over its <c>d</c> channels with the first <c>d</c> elements of each.
/// </summary>
public sealed class SuperLayerNorm : Module
{
    /// <summary>A LayerNorm of at most <paramref name="maxDim"/> channels, weight 1 and bias 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="maxDim"/> is not positive.</exception>
    public SuperLayerNorm(int maxDim, float eps = 1e-5f)
    {
        if (maxDim < 1) throw new ArgumentException($"A super LayerNorm needs a positive width; got {maxDim}.");
        MaxDim = maxDim;
        Eps = eps;
        Weight = RegisterParameter("weight", new Parameter(maxDim));
        Bias = RegisterParameter("bias", new Parameter(maxDim));
        Init.Ones(Weight.Value);
    }

    /// <summary>Largest width.</summary>
    public int MaxDim { get; }

    /// <summary>Epsilon added to the variance.</summary>
    public float Eps { get; }

    /// <summary>The whole weight.</summary>
    public Parameter Weight { get; }

    /// <summary>The whole bias.</summary>
    public Parameter Bias { get; }

    /// <summary>LayerNorm over the last dimension of <paramref name="x"/> (its width <c>d</c>) with the first <c>d</c> weights and biases.</summary>
    /// <exception cref="ArgumentException">The width exceeds the largest.</exception>
    public Tensor Forward(Tensor x)
    {
        int d = x.Size(-1);
        if (d > MaxDim) throw new ArgumentException($"A super LayerNorm of at most {MaxDim} channels cannot take {d}.");
        return Functional.LayerNorm(x, Weight.Value.Narrow(0, 0, d), Bias.Value.Narrow(0, 0, d), Eps);
    }
}
