using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled linear layer (official <c>LinearSuper</c>): the largest weight <c>[MaxOut, MaxIn]</c> and bias, of
/// which a subnet uses the leading block — the first <c>out</c> rows and the first <c>in</c> columns — as a view
/// that GEMM reads with its leading dimension, so nothing is copied and the gradient lands in that block.
/// </summary>
public sealed class SuperLinear : Module
{
    /// <summary>A layer of at most <paramref name="maxIn"/> inputs and <paramref name="maxOut"/> outputs; weight trunc_normal(0.02), bias 0 (the official <c>_init_weights</c>).</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public SuperLinear(int maxIn, int maxOut, Generator generator, bool bias = true)
    {
        if (maxIn < 1 || maxOut < 1) throw new ArgumentException($"A super linear layer needs positive sizes; got {maxIn} → {maxOut}.");
        MaxIn = maxIn;
        MaxOut = maxOut;
        Weight = RegisterParameter("weight", new Parameter(maxOut, maxIn));
        Init.TruncNormal(Weight.Value, generator, std: 0.02);
        if (bias) Bias = RegisterParameter("bias", new Parameter(maxOut) { NoWeightDecay = true });
    }

    /// <summary>Largest input width.</summary>
    public int MaxIn { get; }

    /// <summary>Largest output width.</summary>
    public int MaxOut { get; }

    /// <summary>The whole weight <c>[MaxOut, MaxIn]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The whole bias <c>[MaxOut]</c>, if any.</summary>
    public Parameter? Bias { get; }

    /// <summary><c>x[…, in]·W[:out, :in]ᵀ + b[:out]</c>, where <c>in</c> is the last size of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">The input or output width exceeds the layer's largest.</exception>
    public Tensor Forward(Tensor x, int outFeatures)
    {
        int inFeatures = x.Size(-1);
        if (inFeatures > MaxIn || outFeatures < 1 || outFeatures > MaxOut)
            throw new ArgumentException($"A super linear layer of at most {MaxIn} → {MaxOut} cannot run {inFeatures} → {outFeatures}.");
        return Functional.Linear(x, Weight.Value.Block(outFeatures, inFeatures), Bias?.Value.Narrow(0, 0, outFeatures));
    }
}
