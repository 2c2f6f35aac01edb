namespace FormerSearch.Data;

/// <summary>
/// Derives independent generator seeds from a run's seed and a position (stream, epoch, batch), so
/// what a batch holds depends only on that position: never on timing, prefetching or threads.
/// </summary>
public static class SeedSequence
{
    /// <summary>Stream of <see cref="HoldOut"/>'s permutation.</summary>
    public const ulong HoldOutStream = 1;

    /// <summary>Stream of a loader's per-epoch shuffling permutation.</summary>
    public const ulong ShuffleStream = 2;

    /// <summary>Stream of a loader's per-batch augmentation draws.</summary>
    public const ulong AugmentStream = 3;

    /// <summary>Stream of the test images held out of an image folder that has no test folder (<c>--test-size</c>).</summary>
    public const ulong TestHoldOutStream = 4;

    /// <summary>A seed for (<paramref name="seed"/>, <paramref name="stream"/>, <paramref name="a"/>, <paramref name="b"/>), well mixed in every argument.</summary>
    public static ulong Derive(ulong seed, ulong stream, ulong a = 0, ulong b = 0)
    {
        ulong z = Mix(seed ^ 0x6A09E667F3BCC909UL);
        z = Mix(z ^ Mix(stream + 0xBB67AE8584CAA73BUL));
        z = Mix(z ^ Mix(a + 0x3C6EF372FE94F82BUL));
        return Mix(z ^ Mix(b + 0xA54FF53A5F1D36F1UL));
    }

    // SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
