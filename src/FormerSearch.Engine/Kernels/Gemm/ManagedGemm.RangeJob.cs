using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

public sealed unsafe partial class ManagedGemm
{
    /// <summary>
    /// One GEMM call as a <see cref="ParallelRunner"/> body: a range of column panels (or row panels) of
    /// C is a complete sub-GEMM with the same K, computed by <see cref="Blocked"/> on the calling thread.
    /// The caller keeps the spans pinned for the duration of the loop.
    /// </summary>
    private struct RangeJob : IRangeBody
    {
        private readonly ManagedGemm _owner;
        private readonly bool _transA, _transB;
        private readonly int _m, _n, _k, _lda, _ldb, _ldc;
        private readonly float _alpha, _beta;
        private readonly float* _a, _b, _c;

        public RangeJob(ManagedGemm owner, bool transA, bool transB, int m, int n, int k, float alpha,
            float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        {
            _owner = owner;
            (_transA, _transB, _m, _n, _k, _alpha, _beta) = (transA, transB, m, n, k, alpha, beta);
            (_lda, _ldb, _ldc) = (lda, ldb, ldc);
            _a = a;
            _b = b;
            _c = c;
            SplitColumns = true;
        }

        /// <summary>Whether range items are panels of NR columns (else panels of MR rows).</summary>
        public bool SplitColumns { get; set; }

        public readonly void Invoke(int start, int end)
        {
            if (SplitColumns)
            {
                int nr = _owner._nr;
                Compute(0, _m, start * nr, Math.Min(end * nr, _n));
            }
            else
            {
                int mr = _owner._mr;
                Compute(start * mr, Math.Min(end * mr, _m), 0, _n);
            }
        }

        /// <summary>Computes rows [i0, i1) × columns [j0, j1) of C.</summary>
        public readonly void Compute(int i0, int i1, int j0, int j1)
        {
            float* a = _transA ? _a + i0 : _a + (nint)i0 * _lda;
            float* b = _transB ? _b + (nint)j0 * _ldb : _b + j0;
            float* c = _c + (nint)i0 * _ldc + j0;
            _owner.Blocked(_transA, _transB, i1 - i0, j1 - j0, _k, _alpha, a, _lda, b, _ldb, _beta, c, _ldc);
        }
    }
}
