namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>y = x·Wᵀ + b</c> over the last dimension (PyTorch's <c>nn.Linear</c>): <see cref="WeightedLayer.Weight"/> <c>[out, in]</c>,
/// optional bias <c>[out]</c>, both initialised as PyTorch does, U(−1/√in, 1/√in).
/// </summary>
public sealed class Linear : WeightedLayer
{
    /// <summary>A layer with fresh weights drawn from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException">A feature count is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, Generator generator, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear needs positive feature counts, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterWeightAndBias(new Parameter(outFeatures, inFeatures), ExternalLayout.Same, bias);
        ResetParameters(generator);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary><c>[…, in]</c> → <c>[…, out]</c>.</summary>
    public override Tensor Forward(Tensor x) => Functional.Linear(x, Weight.Value, Bias?.Value);
}
