using FormerSearch.Engine.Ops;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>The sum of all elements, as a rank-0 tensor.</summary>
    public static Tensor Sum(Tensor x) => SumFunction.Apply(x, [], keepDim: false, mean: false);

    /// <summary>
    /// The sum over <paramref name="dims"/> (negative counts from the end), those dimensions removed
    /// or, with <paramref name="keepDim"/>, kept with size 1.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is out of range or listed twice.</exception>
    public static Tensor Sum(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false)
    {
        if (dims.IsEmpty) throw new ArgumentException("Sum over an empty list of dimensions; call Sum(x) to sum everything.", nameof(dims));
        return SumFunction.Apply(x, dims, keepDim, mean: false);
    }

    /// <summary>The mean of all elements, as a rank-0 tensor.</summary>
    public static Tensor Mean(Tensor x) => SumFunction.Apply(x, [], keepDim: false, mean: true);

    /// <summary>The mean over <paramref name="dims"/>, as <see cref="Sum(Tensor, ReadOnlySpan{int}, bool)"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is out of range or listed twice.</exception>
    public static Tensor Mean(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false)
    {
        if (dims.IsEmpty) throw new ArgumentException("Mean over an empty list of dimensions; call Mean(x) to average everything.", nameof(dims));
        return SumFunction.Apply(x, dims, keepDim, mean: true);
    }
}
