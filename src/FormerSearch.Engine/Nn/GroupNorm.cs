namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.GroupNorm(1, C)</c> on channels-last input <c>[B, H, W, C]</c> or <c>[B, N, C]</c>: each sample is
/// normalised by the mean and biased variance over all its positions and channels, then scaled and
/// shifted per channel (PoolFormer's norm). Parameters <c>weight</c> (ones) and <c>bias</c> (zeros), <c>[C]</c>.
/// Only one group is supported: that is the only GroupNorm the model zoo uses.
/// </summary>
public sealed class GroupNorm : Layer
{
    /// <summary>A GroupNorm over <paramref name="numChannels"/> channels in <paramref name="numGroups"/> group(s).</summary>
    /// <exception cref="ArgumentException"><paramref name="numGroups"/> is not 1, the channel count is not positive, or eps is negative.</exception>
    public GroupNorm(int numGroups, int numChannels, float eps = 1e-5f)
    {
        if (numGroups != 1)
            throw new ArgumentException($"GroupNorm supports only numGroups = 1 (PoolFormer's GroupNorm(1, C)); got numGroups = {numGroups}.", nameof(numGroups));
        if (numChannels <= 0) throw new ArgumentException($"GroupNorm needs a positive channel count, got {numChannels}.", nameof(numChannels));
        if (!(eps >= 0)) throw new ArgumentException($"GroupNorm needs a non-negative eps, got {eps}.", nameof(eps));
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Weight = RegisterParameter("weight", new Parameter(numChannels));
        Bias = RegisterParameter("bias", new Parameter(numChannels));
        Init.Ones(Weight.Value);
    }

    /// <summary>Number of groups (always 1).</summary>
    public int NumGroups { get; }

    /// <summary>Number of channels C.</summary>
    public int NumChannels { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary><c>[C]</c> scale.</summary>
    public Parameter Weight { get; }

    /// <summary><c>[C]</c> shift.</summary>
    public Parameter Bias { get; }

    /// <summary><c>[B, …, C]</c> → same shape.</summary>
    /// <exception cref="ArgumentException">The input has rank below 2 or its last dimension is not C.</exception>
    public override Tensor Forward(Tensor x) => Functional.GroupNorm1(x, Weight.Value, Bias.Value, Eps);
}
