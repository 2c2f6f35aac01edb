namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// How <see cref="Pointwise"/> reads one input: <see cref="DenseOperand"/>, a run of values (stride 1), or
/// <see cref="ScalarOperand"/>, one value repeated (stride 0, a broadcast scalar). A type, not a flag, so the
/// JIT compiles each combination into its own loop with no test inside it.
/// </summary>
internal interface IOperand
{
    /// <summary>True when the input is one value used for every element.</summary>
    static abstract bool IsScalar { get; }
}
