namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>y = x·Wᵀ + b</c> over the last dimension (PyTorch's <c>nn.Linear</c>): weight <c>[out, in]</c>,
/// optional bias <c>[out]</c>, both initialised as PyTorch does, U(−1/√in, 1/√in).
/// </summary>
public sealed class Linear : Layer
{
    /// <summary>A layer with fresh weights drawn from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException">A feature count is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, Generator generator, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear needs positive feature counts, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", new Parameter(outFeatures, inFeatures));
        if (bias)
        {
            Bias = RegisterParameter("bias", new Parameter(outFeatures));
            Bias.NoWeightDecay = true;
        }
        ResetParameters(generator);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary><c>[out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary><c>[out]</c>, or null when built without bias.</summary>
    public Parameter? Bias { get; }

    /// <summary>Re-draws the weights as PyTorch's <c>reset_parameters</c>: kaiming_uniform(a=√5) for the weight, U(−1/√in, 1/√in) for the bias.</summary>
    public void ResetParameters(Generator generator)
        => Init.LinearOrConvDefault(Weight.Value, Bias?.Value, generator);

    /// <summary><c>[…, in]</c> → <c>[…, out]</c>.</summary>
    public override Tensor Forward(Tensor x) => Functional.Linear(x, Weight.Value, Bias?.Value);
}
