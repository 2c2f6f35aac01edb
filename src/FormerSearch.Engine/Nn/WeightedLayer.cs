namespace FormerSearch.Engine.Nn;

/// <summary>
/// What <see cref="Linear"/>, <see cref="Conv1x1"/> and <see cref="Conv2d"/> share: a weight with the output features
/// first, an optional bias <c>[out]</c> that takes no weight decay, and PyTorch's default initialisation of both.
/// </summary>
public abstract class WeightedLayer : Layer
{
    /// <summary>The weight, <c>[out, …]</c> (each concrete layer says its layout).</summary>
    public Parameter Weight { get; private set; } = null!;

    /// <summary><c>[out]</c>, or null when built without bias.</summary>
    public Parameter? Bias { get; private set; }

    /// <summary>
    /// Re-draws the weights as PyTorch's <c>reset_parameters</c>: kaiming_uniform(a=√5) on fan_in (the weight's
    /// elements per output feature) for the weight, U(−1/√fan_in, 1/√fan_in) for the bias.
    /// </summary>
    public void ResetParameters(Generator generator)
        => Init.LinearOrConvDefault(Weight.Value, Bias?.Value, generator);

    /// <summary>
    /// Registers <paramref name="weight"/> as <c>weight</c>, stored in checkpoints as <paramref name="layout"/> says, and
    /// when <paramref name="bias"/> a zero <c>bias</c> over the weight's first dimension; called once by the constructor.
    /// </summary>
    protected void RegisterWeightAndBias(Parameter weight, ExternalLayout layout, bool bias)
    {
        Weight = RegisterParameter("weight", weight);
        Weight.ExternalLayout = layout;
        if (!bias) return;
        Bias = RegisterParameter("bias", new Parameter(weight.Value.Size(0)));
        Bias.NoWeightDecay = true;
    }
}
