namespace FormerSearch.Engine.Nn;

/// <summary>
/// What the normalisation layers share (<see cref="LayerNorm"/>, <see cref="GroupNorm"/>, <see cref="BatchNormBase"/>):
/// an eps added to the variance and a per-channel affine, parameters <c>weight</c> (ones) and <c>bias</c> (zeros), <c>[C]</c>.
/// </summary>
public abstract class NormLayer : Layer
{
    /// <summary>Checks the channel count and eps, then registers the affine parameters.</summary>
    /// <param name="channels">C.</param>
    /// <param name="channelsName">The concrete constructor's name for C, for the error.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <exception cref="ArgumentException">The channel count is not positive or eps is negative.</exception>
    protected NormLayer(int channels, string channelsName, float eps)
    {
        string type = GetType().Name;
        if (channels <= 0) throw new ArgumentException($"{type} needs a positive channel count, got {channels}.", channelsName);
        if (!(eps >= 0)) throw new ArgumentException($"{type} needs a non-negative eps, got {eps}.", nameof(eps));
        Eps = eps;
        Weight = RegisterParameter("weight", new Parameter(channels));
        Bias = RegisterParameter("bias", new Parameter(channels));
        Init.Ones(Weight.Value);
    }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary><c>[C]</c> scale.</summary>
    public Parameter Weight { get; }

    /// <summary><c>[C]</c> shift.</summary>
    public Parameter Bias { get; }
}
