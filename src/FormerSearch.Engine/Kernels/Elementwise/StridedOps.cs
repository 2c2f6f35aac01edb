using System.Numerics.Tensors;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// Copy and accumulate between two same-shaped tensors of any layouts (views with strides), walking
/// the outer dimensions with an index counter and the innermost one as a (possibly strided) run.
/// </summary>
internal static class StridedOps
{
    /// <summary><c>dst = src</c>.</summary>
    public static void Copy(Tensor src, Tensor dst) => Run(src, dst, accumulate: false);

    /// <summary><c>dst += src</c>.</summary>
    public static void AddInto(Tensor src, Tensor dst) => Run(src, dst, accumulate: true);

    /// <summary>Sets every element of <paramref name="dst"/> (any layout) to <paramref name="value"/>.</summary>
    public static void Fill(Tensor dst, float value)
    {
        if (dst.IsContiguous)
        {
            dst.Elements.AsSpan().Fill(value);
            return;
        }
        // A broadcast (stride-0) source of one element written through the normal walk.
        var one = Tensor.FromArray([value]);
        Run(one.View(0, dst.Shape, stackalloc int[dst.Rank]), dst, accumulate: false);
    }

    /// <summary>Copies <paramref name="src"/> into a dense row-major array.</summary>
    public static void CopyTo(Tensor src, float[] dst)
    {
        var view = Tensor.FromArray(dst, src.Shape);
        Run(src, view, accumulate: false);
    }

    private static void Run(Tensor src, Tensor dst, bool accumulate)
    {
        int n = src.Numel;
        if (n == 0) return;
        if (src.IsContiguous && dst.IsContiguous)
        {
            Span<float> s = src.Elements, d = dst.Elements;
            if (accumulate) TensorPrimitives.Add(d, s, d);
            else s.CopyTo(d);
            return;
        }

        int rank = src.Rank;
        int inner = rank == 0 ? 1 : src.Size(-1);
        int sInner = rank == 0 ? 1 : src.Stride(-1);
        int dInner = rank == 0 ? 1 : dst.Stride(-1);
        Span<int> index = stackalloc int[Math.Max(rank - 1, 0)];
        int outer = n / inner;
        var sShape = src.Shape;
        var sStrides = src.Strides;
        var dStrides = dst.Strides;
        // Offsets relative to each tensor's first element.
        FloatSlice sd = src.StridedElements, dd = dst.StridedElements;
        int sOff = 0, dOff = 0;
        for (int o = 0; o < outer; o++)
        {
            if (sInner == 1 && dInner == 1)
            {
                var s = sd.AsSpan(sOff, inner);
                var d = dd.AsSpan(dOff, inner);
                if (accumulate) TensorPrimitives.Add(d, s, d);
                else s.CopyTo(d);
            }
            else
            {
                for (int i = 0, si = sOff, di = dOff; i < inner; i++, si += sInner, di += dInner)
                    dd[di] = accumulate ? dd[di] + sd[si] : sd[si];
            }
            // Advance the outer index like an odometer.
            for (int d = rank - 2; d >= 0; d--)
            {
                sOff += sStrides[d];
                dOff += dStrides[d];
                if (++index[d] < sShape[d]) break;
                sOff -= sStrides[d] * sShape[d];
                dOff -= dStrides[d] * sShape[d];
                index[d] = 0;
            }
        }
    }
}
