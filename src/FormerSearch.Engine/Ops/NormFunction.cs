using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// What every normalisation op (LayerNorm, GroupNorm(1), BatchNorm) shares: the checks on its affine weight and
/// bias, the operands its kernels read, and what it keeps for its backward (the input, the affine weight and bias,
/// and the statistics its forward used: mean and 1/std).
/// </summary>
internal abstract class NormFunction<TSelf> : Function<TSelf, NormFunction<TSelf>.State> where TSelf : NormFunction<TSelf>, new()
{
    /// <summary>
    /// The saved operands; <paramref name="StatisticsFromInput"/> is false when the statistics were given
    /// (BatchNorm in evaluation), so that they are constants to the backward.
    /// </summary>
    internal readonly record struct State(Tensor X, Tensor W, Tensor B, Tensor Mean, Tensor Rstd, bool StatisticsFromInput = true)
    {
        /// <summary>The ranks whose inputs the statistics were taken over together (synchronised BatchNorm); null for this process's input alone.</summary>
        public Distributed.ICommunicator? Group { get; init; }
    }

    /// <summary>
    /// The contiguous input, weight and bias of <paramref name="op"/>, with ones and zeros for an absent weight and bias.
    /// </summary>
    /// <exception cref="ArgumentException">The weight or bias is given but not <c>[c]</c>.</exception>
    protected static (Tensor X, Tensor W, Tensor B) Operands(string op, Tensor x, Tensor? weight, Tensor? bias, int c)
    {
        if (weight is not null && (weight.Rank != 1 || weight.Size(0) != c))
            throw new ArgumentException($"{op} weight must be [{c}] for input {Tensor.FormatShape(x.Shape)}; got {Tensor.FormatShape(weight.Shape)}.");
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != c))
            throw new ArgumentException($"{op} bias must be [{c}] for input {Tensor.FormatShape(x.Shape)}; got {Tensor.FormatShape(bias.Shape)}.");
        return (x.Contiguous(), weight?.Contiguous() ?? Tensor.Full(1f, c), bias?.Contiguous() ?? Tensor.Zeros(c));
    }

    /// <summary>Records a node producing <paramref name="y"/> when the input, weight or bias needs a gradient.</summary>
    protected static void RecordIfNeeded(in State saved, Tensor y)
    {
        if (Tape.Needs(saved.X, saved.W, saved.B)) Record(saved, y);
    }

    /// <summary>
    /// The gradients (null where none is needed) of the input, weight and bias. The weight's and bias's are added into;
    /// the input's is written (<c>=</c>) when <c>OverwriteX</c> — a first gradient created unfilled, which each op's
    /// input-gradient pass covers whole — and added into otherwise.
    /// </summary>
    protected (Tensor? X, Tensor? W, Tensor? B, bool OverwriteX) Gradients()
    {
        var gx = Tape.GradToWrite(Saved.X, out bool overwrite);
        return (gx, Tape.GradOf(Saved.W), Tape.GradOf(Saved.B), overwrite);
    }
}
