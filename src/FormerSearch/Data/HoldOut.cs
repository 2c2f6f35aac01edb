using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// A deterministic held-out split of a training set for validation (as AutoFormer holds out 10,000
/// training images to rank subnets). Only the training set is split; the test set is never touched.
/// </summary>
public static class HoldOut
{
    /// <summary>
    /// Splits <paramref name="train"/> into a training part and <paramref name="valSize"/> validation
    /// images, chosen by a permutation seeded with <paramref name="seed"/> alone (same seed, same
    /// split). Both parts are views of <paramref name="train"/>'s pixels, disjoint, together all of
    /// it, each in ascending order of position.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="valSize"/> is negative or leaves no training images.</exception>
    public static (ImageDataset Train, ImageDataset Val) Split(ImageDataset train, int valSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (valSize < 0 || valSize >= train.Count)
            throw new ArgumentException($"Validation size {valSize} must be in [0, {train.Count}) for {train.Name} ({train.Count} images).", nameof(valSize));
        var permutation = Permutation(train.Count, new Generator(SeedSequence.Derive(seed, SeedSequence.HoldOutStream)));
        var inVal = new bool[train.Count];
        for (int i = 0; i < valSize; i++) inVal[permutation[i]] = true;
        var valIndices = new int[valSize];
        var trainIndices = new int[train.Count - valSize];
        int v = 0, t = 0;
        for (int i = 0; i < train.Count; i++)
        {
            if (inVal[i]) valIndices[v++] = i;
            else trainIndices[t++] = i;
        }
        return (train.Subset(trainIndices), train.Subset(valIndices));
    }

    /// <summary>A uniform random permutation of 0..n−1 (Fisher–Yates) drawn from <paramref name="rng"/>.</summary>
    public static int[] Permutation(int n, Generator rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
