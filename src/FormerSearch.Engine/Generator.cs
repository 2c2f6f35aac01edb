namespace FormerSearch.Engine;

/// <summary>
/// A seedable random-number generator (xoshiro128**), the engine's only source of randomness:
/// initialisers, dropout, drop path and data shuffling draw from one, so a seed fixes a run. Its
/// state is four integers, so it can be saved in a checkpoint and restored exactly.
/// </summary>
public sealed class Generator
{
    private uint _s0, _s1, _s2, _s3;

    public Generator(ulong seed) => Reset(seed);

    /// <summary>Restarts the sequence from <paramref name="seed"/>.</summary>
    public void Reset(ulong seed)
    {
        // SplitMix64 spreads any seed (even 0) over the whole state.
        ulong z = seed;
        _s0 = (uint)SplitMix(ref z);
        _s1 = (uint)SplitMix(ref z);
        _s2 = (uint)SplitMix(ref z);
        _s3 = (uint)SplitMix(ref z);
    }

    /// <summary>The internal state, for checkpoints.</summary>
    public (uint, uint, uint, uint) State
    {
        get => (_s0, _s1, _s2, _s3);
        set => (_s0, _s1, _s2, _s3) = value;
    }

    /// <summary>
    /// Where this process's samples sit in a data-parallel global batch: the samples of other ranks before and after them.
    /// Per-sample draws (drop path) pass over those samples' draws, so each rank draws the one-process masks of its own
    /// samples and every rank's generator stays in the same state. (0, 0), the default, is the whole batch.
    /// </summary>
    public (int Before, int After) BatchPart { get; set; }

    /// <summary>Advances past <paramref name="count"/> draws of <see cref="NextUInt"/> (or <see cref="NextFloat"/>).</summary>
    public void Skip(int count)
    {
        for (int i = 0; i < count; i++) NextUInt();
    }

    /// <summary>32 random bits.</summary>
    public uint NextUInt()
    {
        uint result = BitRotate(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (every float in the range is reachable evenly).</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (((ulong)NextUInt() << 21) ^ (NextUInt() >> 11)) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(((ulong)NextUInt() * (uint)maxExclusive) >> 32);
    }

    /// <summary>Standard normal sample (Box–Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> destination, float low = 0f, float high = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = low + (high - low) * NextFloat();
    }

    /// <summary>Fills <paramref name="destination"/> with normal values of this mean and standard deviation.</summary>
    public void FillNormal(Span<float> destination, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(mean + std * NextGaussian());
    }

    private static uint BitRotate(uint x, int k) => (x << k) | (x >> (32 - k));

    private static ulong SplitMix(ref ulong z)
    {
        ulong r = z += 0x9E3779B97F4A7C15UL;
        r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9UL;
        r = (r ^ (r >> 27)) * 0x94D049BB133111EBUL;
        return r ^ (r >> 31);
    }
}
