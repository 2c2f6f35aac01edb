using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// A linear layer (or pointwise <c>nn.Conv1d</c>, weight <c>[out, in, 1]</c>) at its largest size whose active part is a
/// block of rows starting anywhere and the leading input columns: a view with a leading dimension, so the GEMM costs
/// what the active part costs and gradients land only in that block.
/// </summary>
public sealed class GlitSuperLinear : Module
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    /// <summary>A layer of at most <paramref name="maxIn"/> inputs and <paramref name="maxOut"/> outputs, with bias.</summary>
    /// <param name="maxIn">Largest input width.</param>
    /// <param name="maxOut">Largest output width.</param>
    /// <param name="pointwiseConv">Hold the weight as <c>[out, in, 1]</c> and draw it as <c>nn.Conv1d</c> does (kaiming_uniform a = √5, bias U(±1/√in)); otherwise as GLiT's linear layers (trunc_normal 0.02, zero bias).</param>
    /// <param name="generator">Draws the weights.</param>
    /// <exception cref="ArgumentException">A width is not positive.</exception>
    public GlitSuperLinear(int maxIn, int maxOut, bool pointwiseConv, Generator generator)
    {
        if (maxIn < 1 || maxOut < 1) throw new ArgumentException($"A GLiT super linear layer needs positive widths; got {maxIn} → {maxOut}.");
        MaxIn = maxIn;
        MaxOut = maxOut;
        _weight = RegisterParameter("weight", pointwiseConv ? new Parameter(maxOut, maxIn, 1) : new Parameter(maxOut, maxIn));
        _bias = RegisterParameter("bias", new Parameter(maxOut));
        if (pointwiseConv) Init.LinearOrConvDefault(_weight.Value, _bias.Value, generator);
        else FormerSearch.Models.Blocks.Layers.TruncNormalInit(this, generator);
    }

    /// <summary>Largest input width.</summary>
    public int MaxIn { get; }

    /// <summary>Largest output width.</summary>
    public int MaxOut { get; }

    /// <summary><c>[…, in]</c> → <c>[…, rows]</c> through weight rows <c>[rowStart, rowStart + rows)</c> and the first <c>in</c> columns.</summary>
    /// <exception cref="ArgumentException">The input is wider than <see cref="MaxIn"/> or the rows fall outside the weight.</exception>
    public Tensor Forward(Tensor x, int rowStart, int rows)
    {
        int inFeatures = x.Size(-1);
        if (inFeatures > MaxIn || rowStart < 0 || rows < 1 || rowStart + rows > MaxOut)
            throw new ArgumentException($"A GLiT super layer of {MaxIn} → {MaxOut} cannot take {inFeatures} inputs to rows [{rowStart}, {rowStart + rows}).");
        var (w, b) = Slice(rowStart, rows, inFeatures);
        return Functional.Linear(x, w, b);
    }

    /// <summary>Views of weight rows <c>[rowStart, rowStart + rows)</c> × the first <paramref name="cols"/> columns (as a matrix) and the matching bias.</summary>
    public (Tensor Weight, Tensor Bias) Slice(int rowStart, int rows, int cols) =>
        (Matrix().Block(rowStart, rows, 0, cols), _bias.Value.Narrow(0, rowStart, rows));

    // The weight as [out, in] (a view of the [out, in, 1] convolution layout).
    private Tensor Matrix() => _weight.Rank == 2 ? _weight.Value : _weight.Value.Reshape(MaxOut, MaxIn);
}
