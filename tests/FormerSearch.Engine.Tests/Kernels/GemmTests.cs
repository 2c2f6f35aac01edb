using System.Runtime.Intrinsics.X86;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// Every fast GEMM against <see cref="NaiveGemm"/>: all transposes, empty and odd shapes, sub-block views
/// with padded leading dimensions at nonzero offsets, alpha/beta variants (beta = 0 over NaN), and
/// bit-identical managed results for 1 and 2 threads.
/// </summary>
public sealed class GemmTests
{
    // Sentinel in the padding around the views: a provider reading it gets a huge error, and C's
    // padding must still hold it afterwards.
    private const float Pad = 1e30f;

    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { "managed", "managed-scalar", "openblas" };
        if (Avx2.IsSupported && Fma.IsSupported) data.Add("managed-256");
        return data;
    }

    private static IGemmProvider Provider(string name) => name switch
    {
        "managed" => Gemm.Managed,
        "managed-256" => new ManagedGemm(GemmKernelKind.Vector256),
        "managed-scalar" => new ManagedGemm(GemmKernelKind.Scalar),
        // CI installs libopenblas0-pthread, so failing to load is a failure, not a skip.
        "openblas" => Gemm.OpenBlas ?? throw new InvalidOperationException("OpenBLAS did not load (apt-get install libopenblas0-pthread)."),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void RandomShapes_AllTransposes_MatchNaive(string provider)
    {
        var gemm = Provider(provider);
        var random = new Random(1234);
        for (int trial = 0; trial < 120; trial++)
        {
            int m = random.Next(1, 68), n = random.Next(1, 68), k = random.Next(1, 68);
            bool transA = (trial & 1) != 0, transB = (trial & 2) != 0;
            float alpha = (trial % 5) switch { 0 => 1f, 1 => -0.75f, 2 => 2.5f, 3 => 1f, _ => 0.3f };
            float beta = (trial % 7) switch { 0 or 1 => 0f, 2 => 1f, 3 => -1.5f, _ => 0.5f };
            CheckAgainstNaive(gemm, random, transA, transB, m, n, k, alpha, beta,
                padding: trial % 3 == 0 ? 0 : random.Next(1, 9), offset: random.Next(0, 17));
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void EveryLength_0_To_256_AlongEachDimension_MatchesNaive(string provider)
    {
        // Every vector tail of the micro-kernels and packing, along m, n and k in turn.
        var gemm = Provider(provider);
        var random = new Random(5);
        for (int len = 0; len <= 256; len++)
        {
            bool transA = (len & 1) != 0, transB = (len & 2) != 0;
            CheckAgainstNaive(gemm, random, transA, transB, len, 3, 5, 1f, 0.5f, padding: 1, offset: 2);
            CheckAgainstNaive(gemm, random, transA, transB, 3, len, 5, 1f, 0f, padding: 2, offset: 1);
            CheckAgainstNaive(gemm, random, transA, transB, 3, 5, len, 1f, 0.5f, padding: 0, offset: 3);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void BlockBoundaries_MatchNaive(string provider)
    {
        // Shapes that cross the managed GEMM's MC/KC/NC blocks and both of its parallel splits (by rows,
        // and by columns when A is short), in every transpose.
        var gemm = Provider(provider);
        var random = new Random(99);
        // The last two split K into fixed segments (a weight gradient's long K over a small C): two, and the most.
        (int M, int N, int K)[] shapes = [(150, 40, 530), (3, 2100, 5), (400, 33, 17), (97, 131, 257), (1, 300, 300), (300, 1, 300), (40, 900, 70), (13, 2100, 90),
            (37, 45, 5000), (20, 33, 17000)];
        Assert.Equal(2, ManagedGemm.SplitKSegments(37, 45, 5000));
        Assert.Equal(8, ManagedGemm.SplitKSegments(20, 33, 17000));
        foreach (var (m, n, k) in shapes)
        {
            for (int t = 0; t < 4; t++)
                CheckAgainstNaive(gemm, random, (t & 1) != 0, (t & 2) != 0, m, n, k, 0.5f, t == 0 ? 0f : 0.25f, padding: 3, offset: 5);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void EmptyDimensions(string provider)
    {
        var gemm = Provider(provider);
        var random = new Random(7);
        // m or n == 0: nothing to do, and C (even NaN) is left alone.
        foreach (var (m, n) in new[] { (0, 5), (5, 0), (0, 0) })
        {
            float[] c = [float.NaN, 1f, 2f];
            gemm.Sgemm(false, false, m, n, 4, 1f, new float[20], 4, new float[20], 5, 0f, c, Math.Max(n, 1));
            Assert.True(float.IsNaN(c[0]) && c[1] == 1f && c[2] == 2f);
        }

        // k == 0: C = beta · C, and beta == 0 clears NaN.
        foreach (bool transA in new[] { false, true })
        {
            foreach (float beta in new[] { 0f, 1f, -2f })
                CheckAgainstNaive(gemm, random, transA, !transA, 6, 9, 0, 1.5f, beta, padding: 2, offset: 3);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void BetaZero_OverwritesNaN(string provider)
    {
        var gemm = Provider(provider);
        int m = 37, n = 45, k = 23;
        var random = new Random(5);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n);
        float[] c = new float[m * n];
        Array.Fill(c, float.NaN);
        gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        Assert.DoesNotContain(c, float.IsNaN);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void TooShortSpans_Throw(string provider)
    {
        var gemm = Provider(provider);
        float[] a = new float[12], b = new float[12], c = new float[12];
        Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 4, 4, 4, 1f, a, 4, b, 3, 0f, c, 3)); // ldb < n
        Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c.AsSpan(0, 8), 3)); // C needs 9
        Assert.Throws<ArgumentException>(() => gemm.Sgemm(true, false, 4, 3, 4, 1f, a, 4, b, 3, 0f, c, 3)); // Aᵀ needs 4×4 = 16
    }

    // The SIMD micro-kernels this CPU runs.
    public static TheoryData<string> SimdKernels()
    {
        var data = new TheoryData<string> { "managed" };
        if (Avx2.IsSupported && Fma.IsSupported) data.Add("managed-256");
        return data;
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public unsafe void The_unpacked_product_is_one_fma_chain_per_element_at_every_width_and_block(int width)
    {
        // Every block of GemmSmall — two vectors, 16 + 8 lanes (24–31 columns left), one vector, single floats — and row
        // counts with and without a last group of fewer than 4 (2 or 3 of them computed as four through a scratch copy):
        // each element must be a k-long FMA chain in order, then the alpha/beta update, bit for bit as written out below.
        var random = new Random(17);
        const int k = 37;
        foreach (bool transA in new[] { false, true })
        {
            for (int m = 1; m <= 9; m++)
            {
                foreach (int n in new[] { 1, 8, 15, 16, 23, 24, 25, 31, 32, 40, 47, 56, 57, 63, 88, 90 })
                {
                    float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), c = RandomArray(random, m * n);
                    float beta = m % 2 == 0 ? 0f : 0.5f, alpha = 1.25f;
                    int lda = transA ? m : k;
                    var expected = new float[m * n];
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            float acc = 0f;
                            for (int q = 0; q < k; q++) acc = MathF.FusedMultiplyAdd(transA ? a[q * lda + i] : a[i * lda + q], b[q * n + j], acc);
                            expected[i * n + j] = beta == 0 ? acc * alpha : MathF.FusedMultiplyAdd(acc, alpha, beta * c[i * n + j]);
                        }
                    }
                    fixed (float* pa = a, pb = b, pc = c) GemmSmall.Multiply(width, transA, m, n, k, alpha, pa, lda, pb, n, beta, pc, n);
                    Assert.True(expected.AsSpan().SequenceEqual(c), $"width {width}, {(transA ? "Aᵀ" : "A")}, {m} × {n}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimdKernels))]
    public unsafe void A_row_has_the_same_bits_in_a_short_last_panel_as_in_a_full_one(string provider)
    {
        var gemm = (ManagedGemm)Provider(provider);
        const int n = 70, k = 300, tall = 28;
        var random = new Random(11);
        float[] a = RandomArray(random, tall * k), b = RandomArray(random, n * k), c0 = RandomArray(random, tall * n);
        var packed = new float[gemm.PackedBFloats(k, n)];
        fixed (float* pb = b, pp = packed) gemm.PackWholeB(true, pb, k, k, n, pp);
        float[] Product(int m)
        {
            var c = c0.AsSpan(0, m * n).ToArray();
            fixed (float* pa = a, pp = packed, pc = c) gemm.MultiplyPackedB(m, n, k, pa, k, pp, 1f, pc, n);
            return c;
        }
        var full = Product(tall);
        // Every row count leaves a last panel of another size (1–13 rows at MR 14, 1–5 at MR 6), which short kernels
        // compute with fewer rows; each of its rows must still equal the same row of the 28-row product bit for bit.
        for (int m = 1; m < tall; m++)
            Assert.Equal(full.AsSpan(0, m * n).ToArray(), Product(m));
    }

    [Theory]
    [MemberData(nameof(SimdKernels))]
    public void A_read_where_it_is_stored_gives_the_bits_of_a_packed_A(string provider)
    {
        var gemm = Provider(provider);
        int saved = ParallelRunner.Threads;
        try
        {
            var random = new Random(17);
            // An A whose rows are a multiple of 2 KB apart is packed; any other is read in place (whole panels; a last short
            // panel packed), stored m × k by rows or k × m transposed (a weight gradient's dYᵀ). The same values must give
            // the same bits either way, in full and short tiles, over one and two K blocks, on one thread and split by rows
            // on two.
            foreach (bool transA in new[] { false, true })
            foreach (var (m, n, k) in new[] { (200, 70, 300), (457, 40, 600) })
            {
                float[] values = RandomArray(random, m * k), b = RandomArray(random, n * k), c0 = RandomArray(random, m * n);
                float[] Product(int lda, int threads)
                {
                    var a = new float[(transA ? k : m) * lda];
                    for (int i = 0; i < m; i++)
                        for (int p = 0; p < k; p++) a[transA ? p * lda + i : i * lda + p] = values[i * k + p];
                    var c = (float[])c0.Clone();
                    ParallelRunner.Threads = threads;
                    gemm.Sgemm(transA, true, m, n, k, 0.7f, a, lda, b, k, 0.3f, c, n);
                    return c;
                }
                var packed = Product(1024, 1);
                int inPlace = (transA ? m : k) + 3;
                Assert.Equal(packed, Product(inPlace, 1));
                Assert.Equal(packed, Product(inPlace, 2));
            }
        }
        finally
        {
            ParallelRunner.Threads = saved;
        }
    }

    [Theory]
    [MemberData(nameof(SimdKernels))]
    public void A_split_K_product_computed_transposed_gives_the_bits_of_the_transposed_product(string provider)
    {
        var gemm = (ManagedGemm)Provider(provider);
        int saved = ParallelRunner.Threads;
        try
        {
            var random = new Random(31);
            // A weight gradient dY^T · H with H wider than dY (PoolFormer-S12's 64 × 256 over 16,384 rows) packs H in the
            // blocked GEMM; its partials are computed as H^T · dY instead. C must then be exactly beta · C + T^T, T being
            // the product asked for that way round (which is not swapped back), in every transpose of the operands and on
            // one and two threads (also where nothing is swapped); the other way round, and the narrow X of a first MLP
            // layer, are not swapped.
            Assert.False(gemm.SwapsOperands(true, false, 256, 64, 256, 64));
            Assert.False(gemm.SwapsOperands(true, false, 128, 512, 128, 512));
            foreach (var (m, n, k) in new[] { (64, 256, 5000), (29, 150, 4100) })
            {
                foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    int lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 1;
                    // The scalar kernel packs all of A either way round (as it is on a CPU without AVX2), so never swaps.
                    Assert.Equal(gemm.Kind != GemmKernelKind.Scalar, gemm.SwapsOperands(transA, transB, m, n, lda, ldb));
                    Assert.False(gemm.SwapsOperands(!transB, !transA, n, m, ldb, lda));
                    Assert.True(ManagedGemm.SplitKSegments(m, n, k) > 1);
                    float[] a = RandomArray(random, (transA ? k : m) * lda), b = RandomArray(random, (transB ? n : k) * ldb);
                    float[] c0 = RandomArray(random, m * n), t = new float[n * m];
                    gemm.Sgemm(!transB, !transA, n, m, k, 0.7f, b, ldb, a, lda, 0f, t, m);
                    var expected = new float[m * n];
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) expected[i * n + j] = MathF.FusedMultiplyAdd(c0[i * n + j], 0.3f, t[j * m + i]);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        ParallelRunner.Threads = threads;
                        var c = (float[])c0.Clone();
                        gemm.Sgemm(transA, transB, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, c, n);
                        Assert.Equal(expected, c);
                    }
                    CheckAgainstNaive(gemm, random, transA, transB, m, n, k, 0.7f, 0.3f, padding: 1, offset: 2);
                }
            }
        }
        finally
        {
            ParallelRunner.Threads = saved;
        }
    }

    [Fact]
    public void Managed_IsBitIdenticalForOneAndTwoThreads()
    {
        int saved = ParallelRunner.Threads;
        try
        {
            var random = new Random(2024);
            // Split by rows (tall, odd, blocked in K), by columns (short A, across NC, blocked in K) and by segments of K
            // (a small C over a long K, the segments summed in order: 3 and 8 of them).
            (int M, int N, int K)[] shapes = [(150, 333, 300), (517, 61, 129), (130, 130, 1030), (30, 700, 300), (12, 2100, 100), (64, 192, 1100),
                (70, 40, 6500), (15, 64, 20000)];
            Assert.Equal(3, ManagedGemm.SplitKSegments(70, 40, 6500));
            Assert.Equal(8, ManagedGemm.SplitKSegments(15, 64, 20000));
            foreach (var (m, n, k) in shapes)
            {
                for (int t = 0; t < 4; t++)
                {
                    bool transA = (t & 1) != 0, transB = (t & 2) != 0;
                    float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), c0 = RandomArray(random, m * n);
                    float[] one = (float[])c0.Clone(), two = (float[])c0.Clone();
                    ParallelRunner.Threads = 1;
                    Gemm.Managed.Sgemm(transA, transB, m, n, k, 0.7f, a, transA ? m : k, b, transB ? k : n, 0.3f, one, n);
                    ParallelRunner.Threads = 2;
                    Gemm.Managed.Sgemm(transA, transB, m, n, k, 0.7f, a, transA ? m : k, b, transB ? k : n, 0.3f, two, n);
                    Assert.Equal(one, two);
                }
            }
        }
        finally
        {
            ParallelRunner.Threads = saved;
        }
    }

    [Fact]
    public void OpenBlas_LoadsWithAvx512KernelsUnlessForcedOtherwise()
    {
        Assert.NotNull(Gemm.OpenBlas);
        string? core = Gemm.OpenBlasCoreName;
        Assert.False(string.IsNullOrEmpty(core));
        // An inherited OPENBLAS_CORETYPE naming AVX2 kernels (as this project's machines set) does not count:
        // only FORMER_OPENBLAS_CORETYPE forces a core type.
        bool forced = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OpenBlasLibrary.CoreTypeVariable));
        if (Avx512F.IsSupported && !forced)
            Assert.Contains(core, new[] { "SkylakeX", "Cooperlake", "SapphireRapids" });
    }

    [Fact]
    public void Default_IsOpenBlasOrManaged()
    {
        Assert.Contains(Gemm.Default.Name, new[] { "openblas", "managed" });
        var random = new Random(3);
        CheckAgainstNaive(Gemm.Default, random, false, true, 19, 23, 29, 1f, 0f, padding: 1, offset: 2);
    }

    [Fact]
    public void ProviderVariable_ForcesOrRejects()
    {
        Assert.Same(Gemm.Managed, Gemm.Choose("managed"));
        Assert.Same(Gemm.OpenBlas, Gemm.Choose(" OpenBLAS "));
        // Unforced: the managed GEMM where its AVX-512 kernel runs, else OpenBLAS.
        Assert.Same(Gemm.Managed.Kind == GemmKernelKind.Vector512 ? Gemm.Managed : Gemm.OpenBlas, Gemm.Choose(null));
        Assert.Same(Gemm.Choose(null), Gemm.Choose(" "));
        Assert.Throws<InvalidOperationException>(() => Gemm.Choose("mkl"));
    }

    /// <summary>
    /// Runs one product on views (leading dimension = width + <paramref name="padding"/>, starting at
    /// <paramref name="offset"/>) and compares it with the naive reference element by element, with a
    /// tolerance relative to <c>|alpha|·Σ|a||b| + |beta·c|</c>; checks that C's padding is untouched.
    /// </summary>
    private static void CheckAgainstNaive(IGemmProvider gemm, Random random, bool transA, bool transB,
        int m, int n, int k, float alpha, float beta, int padding, int offset)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + padding, ldb = bCols + padding, ldc = n + padding;
        float[] a = View(random, aRows, aCols, lda, offset, out _);
        float[] b = View(random, bRows, bCols, ldb, offset, out _);
        float[] c = View(random, m, n, ldc, offset, out bool[] cInside);
        if (beta == 0)
        {
            for (int i = 0; i < c.Length; i++) if (cInside[i]) c[i] = float.NaN;
        }

        float[] original = (float[])c.Clone();
        float[] expected = (float[])c.Clone();
        NaiveGemm.Instance.Sgemm(transA, transB, m, n, k, alpha, a.AsSpan(offset), lda, b.AsSpan(offset), ldb, beta, expected.AsSpan(offset), ldc);
        // The scale of each element: the same product on absolute values.
        float[] scale = (float[])c.Clone();
        NaiveGemm.Instance.Sgemm(transA, transB, m, n, k, Math.Abs(alpha), Abs(a).AsSpan(offset), lda, Abs(b).AsSpan(offset), ldb, 0f, scale.AsSpan(offset), ldc);

        gemm.Sgemm(transA, transB, m, n, k, alpha, a.AsSpan(offset), lda, b.AsSpan(offset), ldb, beta, c.AsSpan(offset), ldc);

        for (int i = 0; i < c.Length; i++)
        {
            if (!cInside[i])
            {
                Assert.True(c[i] == Pad, $"{gemm.Name}: wrote outside C at {i} ({m}×{n}×{k}, tA={transA}, tB={transB})");
                continue;
            }
            double oldC = beta == 0 ? 0 : Math.Abs((double)beta * original[i]);
            double tol = 2e-7 * (k + 4) * (scale[i] + oldC) + 1e-6;
            double err = Math.Abs((double)c[i] - expected[i]);
            Assert.True(err <= tol,
                $"{gemm.Name}: {m}×{n}×{k} tA={transA} tB={transB} alpha={alpha} beta={beta} ld+{padding} @+{offset}: " +
                $"element {i} is {c[i]}, expected {expected[i]} (tolerance {tol:E2})");
        }
    }

    private static float[] View(Random random, int rows, int cols, int ld, int offset, out bool[] inside)
    {
        int length = offset + (rows == 0 ? 0 : (rows - 1) * ld + cols) + 7;
        var data = new float[Math.Max(length, 1)];
        inside = new bool[data.Length];
        Array.Fill(data, Pad);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                int i = offset + r * ld + j;
                data[i] = random.NextSingle() * 2 - 1;
                inside[i] = true;
            }
        }
        return data;
    }

    private static float[] Abs(float[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = Math.Abs(values[i]);
        return result;
    }

    private static float[] RandomArray(Random random, int length)
    {
        var result = new float[length];
        for (int i = 0; i < length; i++) result[i] = random.NextSingle() * 2 - 1;
        return result;
    }
}
