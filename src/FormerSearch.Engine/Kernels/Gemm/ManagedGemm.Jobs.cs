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
            float* b = _transB ? _b + (nint)j0 * _ldb : _b + j0;
            GemmPacking.PackB(_transB, b, _ldb, _kc, j1 - j0, _nr, _packB + (nint)j0 * _kc);
        }
    }

    /// <summary>
    /// One KC block of the product against a packed B block, split either into parts of whole MR row panels
    /// (<see cref="RowBoundary"/>; each part packs its own A) or, after <see cref="PackAllOfA"/>, by NR column panels.
    /// Each range writes whole elements of C, so the split never changes a result.
    /// </summary>
    private struct MultiplyJob : IRangeBody
    {
        private readonly ManagedGemm _owner;
        private readonly bool _transA;
        private readonly float* _a;
        private readonly int _lda, _m, _kc, _nc, _ldc, _parts;
        private readonly float* _packB;
        private readonly float _alpha, _beta;
        private readonly float* _c;
        private float* _packedA;

        public MultiplyJob(ManagedGemm owner, bool transA, float* a, int lda, int m, int kc,
            float* packB, int nc, float alpha, float beta, float* c, int ldc, int parts)
        {
            _owner = owner;
            (_transA, _lda, _m, _kc, _nc, _ldc, _alpha, _beta, _parts) = (transA, lda, m, kc, nc, ldc, alpha, beta, parts);
            _a = a;
            _packB = packB;
            _c = c;
            _packedA = null;
        }

        /// <summary>Packs all m rows of A (m ≤ MC) into <paramref name="buffer"/>, switching ranges to column panels.</summary>
        public void PackAllOfA(float* buffer)
        {
            GemmPacking.PackA(_transA, _a, _lda, _m, _kc, _owner._mr, buffer);
            _packedA = buffer;
        }

        public readonly void Invoke(int start, int end)
        {
            if (_packedA == null)
            {
                _owner.MultiplyRows(_transA, _a, _lda, _owner.RowBoundary(_m, _parts, start), _owner.RowBoundary(_m, _parts, end), _kc, _packB, 0, _nc,
                    _alpha, _beta, _c, _ldc);
            }
            else
            {
                int nr = _owner._nr;
                var ws = GemmWorkspace.ForCurrentThread(0, 0, _owner._mr * nr);
                _owner.MultiplyPacked(_packedA, _m, _kc, _packB, start * nr, Math.Min(end * nr, _nc), _alpha, _beta,
                    _c, _ldc, ws.Tile);
            }
        }
    }
}
