using System.Numerics.Tensors;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Norms;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// An inference BatchNorm (running statistics) and the pointwise activation after it in one pass,
/// <c>y = f((x − mean)·k + b)</c> with <c>k = w / √(var + eps)</c> per channel, as ONNX Runtime folds the two: each row of
/// channels is normalised exactly as <see cref="BatchNormFunction"/> does it and activated while it is in cache. It records
/// nothing: <see cref="Nn.BatchNormBase.Forward(Tensor, ActivationKind)"/> uses it only when no gradient is needed.
/// </summary>
internal static class InferenceBatchNormActivation
{
    /// <summary><c>f(batchnorm(x))</c> over the last dimension of <paramref name="x"/> with running statistics.</summary>
    /// <exception cref="ArgumentException">A per-channel tensor is not <c>[C]</c> for x's last dimension C.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not pointwise.</exception>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, float eps, ActivationKind activation)
    {
        if (!ActivationKernels.IsPointwise(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "The fused BatchNorm takes a pointwise activation.");
        int c = x.Size(-1);
        foreach (var t in new[] { weight, bias, runningMean, runningVar })
        {
            if (t.Rank != 1 || t.Size(0) != c)
                throw new ArgumentException($"BatchNorm over {c} channels needs [{c}] parameters and statistics; got {Tensor.FormatShape(t.Shape)}.");
        }
        x = x.Contiguous();
        var k = Tensor.Empty(c);
        var ks = k.AsSpan();
        var v = runningVar.Contiguous().AsSpan();
        for (int i = 0; i < c; i++) ks[i] = 1f / MathF.Sqrt(v[i] + eps);
        TensorPrimitives.Multiply(ks, weight.Contiguous().AsSpan(), ks);
        var y = Tensor.Empty(x.Shape);
        var tiles = new RowTiles(c == 0 ? 0 : x.Numel / c, c);
        ParallelRunner.For(tiles.Count, tiles.Grain,
            new TilesBody(x.Elements, y.Elements, runningMean.Contiguous().Elements, k.Elements, bias.Contiguous().Elements, tiles, activation));
        return y;
    }

    private readonly struct TilesBody(FloatSlice x, FloatSlice y, FloatSlice mean, FloatSlice k, FloatSlice b, RowTiles tiles, ActivationKind activation)
        : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int c = tiles.Cols;
            for (int t = start; t < end; t++)
            {
                var (first, count) = tiles.Rows(t);
                for (int r = first; r < first + count; r++)
                    NormRows.NormalizeChannels(x.Row(r, c), mean.AsSpan(), k.AsSpan(), b.AsSpan(), y.Row(r, c));
                var tile = y.AsSpan(first * c, count * c);
                ActivationKernels.ForwardSpan(activation, tile, tile);
            }
        }
    }
}
