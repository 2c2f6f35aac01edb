namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.GroupNorm(1, C)</c> on channels-last input <c>[B, H, W, C]</c> or <c>[B, N, C]</c>: each sample is
/// normalised by the mean and biased variance over all its positions and channels, then scaled and
/// shifted per channel (PoolFormer's norm). Parameters <c>weight</c> (ones) and <c>bias</c> (zeros), <c>[C]</c>.
/// Only one group is supported: that is the only GroupNorm the model zoo uses.
/// </summary>
public sealed class GroupNorm : NormLayer
{
    /// <summary>A GroupNorm over <paramref name="numChannels"/> channels in <paramref name="numGroups"/> group(s).</summary>
    /// <exception cref="ArgumentException"><paramref name="numGroups"/> is not 1, the channel count is not positive, or eps is negative.</exception>
    public GroupNorm(int numGroups, int numChannels, float eps = 1e-5f) : base(OneGroup(numGroups, numChannels), nameof(numChannels), eps)
    {
        NumGroups = numGroups;
        NumChannels = numChannels;
    }

    /// <summary>Number of groups (always 1).</summary>
    public int NumGroups { get; }

    /// <summary>Number of channels C.</summary>
    public int NumChannels { get; }

    /// <summary><c>[B, …, C]</c> → same shape.</summary>
    /// <exception cref="ArgumentException">The input has rank below 2 or its last dimension is not C.</exception>
    public override Tensor Forward(Tensor x) => Functional.GroupNorm1(x, Weight.Value, Bias.Value, Eps);

    /// <summary>The channel count, once the group count is checked (before the channels, as it always was).</summary>
    private static int OneGroup(int numGroups, int numChannels)
    {
        if (numGroups != 1)
            throw new ArgumentException($"GroupNorm supports only numGroups = 1 (PoolFormer's GroupNorm(1, C)); got numGroups = {numGroups}.", nameof(numGroups));
        return numChannels;
    }
}
