using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>The sum of all elements, as a rank-0 tensor.</summary>
    public static Tensor Sum(Tensor x) => Reduce(x, [], keepDim: false, mean: false);

    /// <summary>
    /// The sum over <paramref name="dims"/> (negative counts from the end), those dimensions removed
    /// or, with <paramref name="keepDim"/>, kept with size 1.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is out of range or listed twice.</exception>
    public static Tensor Sum(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false)
    {
        if (dims.IsEmpty) throw new ArgumentException("Sum over an empty list of dimensions; call Sum(x) to sum everything.", nameof(dims));
        return Reduce(x, dims, keepDim, mean: false);
    }

    /// <summary>The mean of all elements, as a rank-0 tensor.</summary>
    public static Tensor Mean(Tensor x) => Reduce(x, [], keepDim: false, mean: true);

    /// <summary>The mean over <paramref name="dims"/>, as <see cref="Sum(Tensor, ReadOnlySpan{int}, bool)"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is out of range or listed twice.</exception>
    public static Tensor Mean(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false)
    {
        if (dims.IsEmpty) throw new ArgumentException("Mean over an empty list of dimensions; call Mean(x) to average everything.", nameof(dims));
        return Reduce(x, dims, keepDim, mean: true);
    }

    private static Tensor Reduce(Tensor x, ReadOnlySpan<int> dims, bool keepDim, bool mean)
    {
        using var trace = OpTrace.Enter();
        var y = SumFunction.Apply(x, dims, keepDim, mean);
        if (!trace.IsRecording) return y;
        var normalized = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++) normalized[i] = x.NormalizeDim(dims[i]);
        return trace.Record(new TracedOp(mean ? TracedOpKind.Mean : TracedOpKind.Sum, y, x) { Dims = normalized, KeepDim = keepDim });
    }
}
