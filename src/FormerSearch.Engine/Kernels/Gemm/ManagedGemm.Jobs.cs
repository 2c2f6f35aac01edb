using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Gemm;

public sealed unsafe partial class ManagedGemm
{
    /// <summary>Packs column panels <c>[start, end)</c> of one KC × NC block of B; panels are disjoint in the buffer.</summary>
    private readonly struct PackBJob : IRangeBody
    {
        private readonly bool _transB;
        private readonly float* _b;
        private readonly int _ldb, _kc, _nc, _nr;
        private readonly float* _packB;

        public PackBJob(bool transB, float* b, int ldb, int kc, int nc, int nr, float* packB)
        {
            (_transB, _ldb, _kc, _nc, _nr) = (transB, ldb, kc, nc, nr);
            _b = b;
            _packB = packB;
        }

        public void Invoke(int start, int end)
        {
            int j0 = start * _nr, j1 = Math.Min(end * _nr, _nc);
            GemmPacking.PackB(_transB, Element(_b, _transB, _ldb, 0, j0), _ldb, _kc, j1 - j0, _nr, _packB + (nint)j0 * _kc);
        }
    }

    /// <summary>
    /// One KC block of the product against a packed B block, split into parts of whole MR row panels
    /// (<see cref="RowBoundary"/>; each part packs its own A). Each range writes whole elements of C, so the split never
    /// changes a result.
    /// </summary>
    private readonly struct MultiplyJob(ManagedGemm owner, bool transA, float* a, int lda, int m, int kc,
        float* packB, int nc, float alpha, float beta, float* c, int ldc, int parts) : IRangeBody
    {
        public void Invoke(int start, int end) =>
            owner.MultiplyRows(transA, a, lda, owner.RowBoundary(m, parts, start), owner.RowBoundary(m, parts, end), kc, packB, 0, nc,
                alpha, beta, c, ldc);
    }

    /// <summary>
    /// The whole product for ranges <c>[start, end)</c> of <paramref name="ranges"/> near-equal runs of the
    /// <paramref name="panels"/> NR column panels, and all m rows (m ≤ MC): a range packs its own panels
    /// of B and all of A, block by block of K, and multiplies them, so a short product is one parallel region with no
    /// thread waiting on another's packing (packing A on the calling thread between two regions, while the other threads
    /// waited, cost 64 × 768 · 768 × 192 a quarter of its time). The blocks of K and the panels are the single-thread
    /// ones, so is every element of C.
    /// </summary>
    private readonly struct ColumnsJob(ManagedGemm owner, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int panels, int ranges) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int nr = owner._nr, kcMax = owner._kc;
            int first = (int)((long)panels * start / ranges) * nr, last = Math.Min((int)((long)panels * end / ranges) * nr, n), ncMax = Math.Min(owner._nc, last - first + nr - 1) / nr * nr;
            var ws = GemmWorkspace.ForCurrentThread(owner._mc * kcMax, kcMax * ncMax, owner._mr * nr);
            for (int jc = first; jc < last; jc += ncMax)
            {
                int nc = Math.Min(ncMax, last - jc);
                for (int pc = 0; pc < k; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, k - pc);
                    GemmPacking.PackB(transB, Element(b, transB, ldb, pc, jc), ldb, kc, nc, nr, ws.B);
                    GemmPacking.PackA(transA, Element(a, transA, lda, 0, pc), lda, m, kc, owner._mr, ws.A);
                    // Later K blocks accumulate onto what the first one wrote.
                    owner.MultiplyPanels(false, null, 0, 0, ws.A, m, kc, ws.B, 0, nc, alpha, pc == 0 ? beta : 1f, c + jc, ldc, ws.Tile);
                }
            }
        }
    }
}
