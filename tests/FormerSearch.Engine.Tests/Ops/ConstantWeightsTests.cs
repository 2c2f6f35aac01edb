using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Kernels;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// Linear layers inside a <see cref="ConstantWeights"/> scope multiply by weights packed once per scope: the same values as
/// the recorded op (1e-5 relative) on the first call and the cached ones, the same bits for 1 and 2 threads, a new
/// packing after the scope ends, and never a stale cache for a weight in pooled storage, whose buffer another tensor takes
/// over inside the scope.
/// </summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class ConstantWeightsTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(1, 40, 30)]       // one row: the dot-product path, which packs nothing
    [InlineData(197, 192, 576)]   // DeiT-Tiny's qkv at batch 1
    [InlineData(13, 600, 40)]     // two KC blocks of the packed weight
    [InlineData(300, 33, 200)]
    [InlineData(2000, 300, 600)]  // chunks of rows, the last one partial
    [InlineData(196, 320, 1280)]  // PoolFormer-S12's stage-3 MLP at batch 1 (a weight OpenBLAS multiplies outside a scope)
    public void Linear_in_a_scope_matches_the_recorded_op_and_keeps_its_bits_across_threads(int rows, int inFeatures, int outFeatures)
    {
        var x = TestTensors.Uniform(1, rows, inFeatures);
        var w = TestTensors.Uniform(2, outFeatures, inFeatures);
        var b = TestTensors.Uniform(3, outFeatures);
        var expected = RecordedOp.Values(() => Functional.LinearActivation(x, w, b, ActivationKind.Gelu), x, w, b);
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            using var _ = Tape.NoGrad();
            using var constant = ConstantWeights.Enter();
            var first = Functional.LinearActivation(x, w, b, ActivationKind.Gelu).ToArray();
            var cached = Functional.LinearActivation(x, w, b, ActivationKind.Gelu).ToArray();
            ThreadCounts.AssertBitwiseEqual(first, cached);
            return first;
        });
        TestTensors.AssertClose(expected, one, Tolerance, $"{rows}×{inFeatures}→{outFeatures}");
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public void A_weight_changed_after_the_scope_is_packed_again()
    {
        var x = TestTensors.Uniform(4, 50, 70);
        var w = TestTensors.Uniform(5, 90, 70);
        using (Tape.NoGrad())
        using (ConstantWeights.Enter())
            Functional.Linear(x, w).ToArray();
        foreach (ref float v in w.AsSpan()) v = -2f * v + 0.25f;
        var expected = RecordedOp.Values(() => Functional.Linear(x, w), x, w);
        using (Tape.NoGrad())
        using (ConstantWeights.Enter())
            TestTensors.AssertClose(expected, Functional.Linear(x, w).ToArray(), Tolerance, "after the change");
    }

    [Fact]
    public void Sub_block_views_of_one_array_are_different_weights()
    {
        var whole = TestTensors.Uniform(6, 80, 64);
        var x = TestTensors.Uniform(7, 40, 32);
        using var _ = Tape.NoGrad();
        using var constant = ConstantWeights.Enter();
        foreach (var (row, col) in new[] { (0, 0), (10, 0), (0, 32), (10, 5) })
        {
            var view = whole.Narrow(0, row, 60).Narrow(1, col, 32);   // a supernet's active block: rows 64 apart
            var expected = Naive(x, view.Contiguous());
            TestTensors.AssertClose(expected, Functional.Linear(x, view).ToArray(), Tolerance, $"block at ({row}, {col})");
        }
    }

    [Fact]
    public void A_weight_in_pooled_storage_is_never_served_from_the_cache()
    {
        var x = TestTensors.Uniform(8, 30, 48);
        using var _ = Tape.NoGrad();
        using var constant = ConstantWeights.Enter();
        for (int trial = 0; trial < 3; trial++)
        {
            float[] values = TestTensors.Uniform(10 + trial, 64, 48).ToArray();
            using (TensorScope.Enter())
            {
                // Released at the end of each round, so the next round's weight takes over the same pooled buffer.
                var w = Tensor.Empty(64, 48);
                values.CopyTo(w.AsSpan());
                var expected = Naive(x, Tensor.FromArray(values, 64, 48));
                TestTensors.AssertClose(expected, Functional.Linear(x, w).ToArray(), Tolerance, $"round {trial}");
            }
        }
    }

    [Theory]
    [InlineData(197, 576, 192, true)]
    [InlineData(13, 40, 600, true)]
    [InlineData(3, 300, 700, false)]
    [InlineData(50, 33, 1100, false)]  // three KC blocks, a partial NR panel
    [InlineData(196, 320, 1280, true)] // 14 row panels split in four parts of 4, 3, 4, 3
    [InlineData(49, 2048, 512, true)]  // PoolFormer-S12's stage-4 MLP at batch 1: few rows, split by columns
    [InlineData(90, 70, 600, false)]   // split by columns, a partial NR panel, two KC blocks
    public void The_prepacked_product_has_the_blocked_gemms_bits(int m, int n, int k, bool transB)
    {
        var a = TestTensors.Uniform(20, m, k).ToArray();
        var b = TestTensors.Uniform(21, transB ? n : k, transB ? k : n).ToArray();
        int ldb = transB ? k : n;
        var expected = new float[m * n];
        Gemm.Managed.Sgemm(false, transB, m, n, k, 1f, a, k, b, ldb, 0f, expected, n);
        var (one, two) = ThreadCounts.RunBoth(() => PrepackedProduct(a, b, m, n, k, transB));
        ThreadCounts.AssertBitwiseEqual(expected, one);
        ThreadCounts.AssertBitwiseEqual(expected, two);
    }

    private static unsafe float[] PrepackedProduct(float[] a, float[] b, int m, int n, int k, bool transB)
    {
        var gemm = Gemm.Managed;
        var packed = new float[gemm.PackedBFloats(k, n)];
        var c = new float[m * n];
        fixed (float* pa = a, pb = b, pp = packed, pc = c)
        {
            gemm.PackWholeB(transB, pb, transB ? k : n, k, n, pp);
            gemm.MultiplyPackedB(m, n, k, pa, k, pp, 0f, pc, n);
        }
        return c;
    }

    // x · Wᵀ in double precision.
    private static float[] Naive(Tensor x, Tensor w)
    {
        var xs = x.ToArray();
        var ws = w.ToArray();
        int rows = x.Size(0), inFeatures = x.Size(1), outFeatures = w.Size(0);
        var y = new float[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = 0;
                for (int i = 0; i < inFeatures; i++) sum += (double)xs[r * inFeatures + i] * ws[o * inFeatures + i];
                y[r * outFeatures + o] = (float)sum;
            }
        }
        return y;
    }
}
