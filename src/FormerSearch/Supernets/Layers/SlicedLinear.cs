using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled linear layer (or 1×1 / pointwise convolution): the largest weight of <see cref="Parts"/> parts of
/// <see cref="MaxOut"/> rows each over <see cref="MaxIn"/> columns, of which the active subnet uses the first
/// <see cref="ActiveOut"/> rows of every part and the first <see cref="ActiveIn"/> columns (official <c>LinearSuper</c>
/// for one part; q/k/v or GLU value/gate bands for several, see <see cref="PartLayout"/>) — or, for a layer that reads
/// or writes a channel range of a wider tensor (GLiT's local heads over the last channels), windows starting at
/// <see cref="InStart"/> and <see cref="OutStart"/>. Every active block is a view
/// that GEMM reads with its leading dimension, so nothing is copied and gradients land only in the active elements.
/// </summary>
public sealed class SlicedLinear : Layer, ISlicedLayer, ISlicedByWidth
{
    private readonly LinearWeightLayout _weightLayout;

    /// <summary>A layer of at most <paramref name="maxIn"/> inputs and <paramref name="parts"/> × <paramref name="maxOut"/> outputs, drawn by <paramref name="init"/>; every size active.</summary>
    /// <param name="maxIn">Largest input width.</param>
    /// <param name="maxOut">Largest output width of each part.</param>
    /// <param name="generator">Draws the weights.</param>
    /// <param name="init">How the weights are drawn.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="parts">Parts sharing the input (3 for q, k and v; 2 for a GLU); 1 for a plain layer.</param>
    /// <param name="layout">Where each part's rows lie.</param>
    /// <param name="weightLayout">The shape the weight is held (and saved) in.</param>
    /// <exception cref="ArgumentException">A size is not positive, or an interleaved layer is not a plain linear one.</exception>
    public SlicedLinear(int maxIn, int maxOut, Generator generator, SlicedInit init, bool bias = true, int parts = 1,
        PartLayout layout = PartLayout.Stacked, LinearWeightLayout weightLayout = LinearWeightLayout.Linear)
    {
        if (maxIn < 1 || maxOut < 1 || parts < 1)
            throw new ArgumentException($"A sliced linear layer needs positive sizes; got {maxIn} → {parts}×{maxOut}.");
        if (layout == PartLayout.Interleaved && weightLayout != LinearWeightLayout.Linear)
            throw new ArgumentException("Only a plain linear layer interleaves its parts.");
        MaxIn = maxIn;
        MaxOut = maxOut;
        Parts = parts;
        Layout = layout;
        _weightLayout = weightLayout;
        int rows = parts * maxOut;
        Weight = RegisterParameter("weight", weightLayout == LinearWeightLayout.Conv1d ? new Parameter(rows, maxIn, 1) : new Parameter(rows, maxIn));
        if (weightLayout == LinearWeightLayout.Conv1x1) Weight.ExternalLayout = ExternalLayout.LinearAsConv1x1;
        if (bias) Bias = RegisterParameter("bias", new Parameter(rows) { NoWeightDecay = true });
        if (init == SlicedInit.TorchDefault) Init.LinearOrConvDefault(Weight.Value, Bias?.Value, generator);
        else Init.TruncNormal(Weight.Value, generator, std: 0.02);
        Activate(maxIn, maxOut);
    }

    /// <summary>
    /// A supernet's classifier of at most <paramref name="maxIn"/> inputs and <paramref name="numClasses"/> outputs. With
    /// <see cref="SlicedInit.TorchDefault"/> it is drawn as the zoo's <see cref="ClassifierHead"/> (PyTorch's default, then
    /// trunc_normal(0.02) over it), with <see cref="SlicedInit.TruncNormal"/> as AutoFormer's <c>LinearSuper</c> head.
    /// </summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public static SlicedLinear Classifier(int maxIn, int numClasses, Generator generator, SlicedInit init)
    {
        ClassifierHead.CheckClasses(numClasses);
        var head = new SlicedLinear(maxIn, numClasses, generator, init);
        if (init == SlicedInit.TorchDefault) Models.Blocks.Layers.TruncNormalInit(head, generator);
        return head;
    }

    /// <summary>Largest input width.</summary>
    public int MaxIn { get; }

    /// <summary>Largest output width of each part.</summary>
    public int MaxOut { get; }

    /// <summary>Parts sharing the input.</summary>
    public int Parts { get; }

    /// <summary>Where each part's rows lie.</summary>
    public PartLayout Layout { get; }

    /// <summary>The whole weight.</summary>
    public Parameter Weight { get; }

    /// <summary>The whole bias, if any.</summary>
    public Parameter? Bias { get; }

    /// <summary>Active input width.</summary>
    public int ActiveIn { get; private set; }

    /// <summary>Active output width of each part.</summary>
    public int ActiveOut { get; private set; }

    /// <summary>First active column (0 unless a window was activated).</summary>
    public int InStart { get; private set; }

    /// <summary>First active row of each part (0 unless a window was activated).</summary>
    public int OutStart { get; private set; }

    /// <summary>True when the active rows of all parts are one block, so <see cref="Forward"/> runs them as one GEMM.</summary>
    public bool IsOneBlock => Parts == 1 || (Layout == PartLayout.Stacked && ActiveOut == MaxOut);

    /// <summary>Makes the first <paramref name="inFeatures"/> columns and the first <paramref name="outFeatures"/> rows of each part active.</summary>
    /// <exception cref="ArgumentException">A width is not in 1…its largest.</exception>
    public void Activate(int inFeatures, int outFeatures) => ActivateWindow(0, inFeatures, 0, outFeatures);

    /// <summary>
    /// Makes columns <c>[inStart, inStart + inFeatures)</c> and rows <c>[outStart, outStart + outFeatures)</c> of each
    /// part active: the standalone layer is that block of the weight (and those rows of the bias).
    /// </summary>
    /// <exception cref="ArgumentException">A window does not fit, or an interleaved layer is given a window that does not start at 0.</exception>
    public void ActivateWindow(int inStart, int inFeatures, int outStart, int outFeatures)
    {
        if (inStart < 0 || outStart < 0 || inFeatures < 1 || inStart + inFeatures > MaxIn || outFeatures < 1 || outStart + outFeatures > MaxOut)
            throw new ArgumentException($"A sliced linear layer of at most {MaxIn} → {Parts}×{MaxOut} cannot run columns {inStart}+{inFeatures} → rows {outStart}+{outFeatures} of each of its {Parts} parts.");
        if (Layout == PartLayout.Interleaved && (inStart != 0 || outStart != 0))
            throw new ArgumentException("An interleaved layer's active slice starts at its first row and column.");
        InStart = inStart;
        OutStart = outStart;
        ActiveIn = inFeatures;
        ActiveOut = outFeatures;
    }

    /// <summary>A square slice, <paramref name="width"/> in and out (a 1×1 convolution used as a token mixer).</summary>
    void ISlicedByWidth.Activate(int width) => Activate(width, width);

    /// <summary><c>[…, in]</c> → <c>[…, parts·out]</c> through the active rows of every part in one GEMM.</summary>
    /// <exception cref="ArgumentException">The input is not <see cref="ActiveIn"/> wide.</exception>
    /// <exception cref="InvalidOperationException">The active rows are not one block (see <see cref="IsOneBlock"/>); use <see cref="Part"/>.</exception>
    public override Tensor Forward(Tensor x)
    {
        CheckInput(x);
        if (!IsOneBlock) throw new InvalidOperationException($"The active rows of this {Parts}-part layer are not one block; run each part.");
        int rows = Parts * ActiveOut;
        return Functional.Linear(x, Matrix().Block(OutStart, rows, InStart, ActiveIn), Bias?.Value.Narrow(0, OutStart, rows));
    }

    /// <summary>Part <paramref name="part"/> (0 q, 1 k, 2 v; 0 value, 1 gate) of <c>[…, in]</c>: <c>[…, out]</c>.</summary>
    /// <exception cref="ArgumentException">The part does not exist or the input is not <see cref="ActiveIn"/> wide.</exception>
    public Tensor Part(Tensor x, int part)
    {
        CheckInput(x);
        if ((uint)part >= (uint)Parts) throw new ArgumentException($"This layer has {Parts} parts; asked for part {part}.");
        return Functional.Linear(x, PartRows(Matrix(), part), PartBias(part));
    }

    /// <summary>
    /// The three parts of a q-k-v layer over tokens <c>[B, N, in]</c>, each split into <paramref name="heads"/> heads:
    /// q, k, v <c>[B, heads, N, out/heads]</c>, by three GEMMs over views of the weight (a narrowed input is copied once first).
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer does not have three parts.</exception>
    public (Tensor Q, Tensor K, Tensor V) PartsPerHead(Tensor x, int heads)
    {
        if (Parts != 3) throw new InvalidOperationException($"Only a three-part (q-k-v) layer splits into q, k and v; this one has {Parts} parts.");
        x = x.Contiguous();
        return (AttentionHeads.PerHead(Part(x, 0), heads), AttentionHeads.PerHead(Part(x, 1), heads), AttentionHeads.PerHead(Part(x, 2), heads));
    }

    /// <inheritdoc/>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        var weights = new Tensor[Parts];
        for (int p = 0; p < Parts; p++)
        {
            var rows = PartRows(Weight.Value, p);
            weights[p] = _weightLayout == LinearWeightLayout.Conv1d ? rows.Narrow(1, InStart, ActiveIn) : rows;
        }
        yield return new ActiveTensor("weight", weights);
        if (Bias is null) yield break;
        if (Layout == PartLayout.Interleaved)
        {
            yield return new ActiveTensor("bias", Bias.Value.Narrow(0, 0, Parts * ActiveOut));
            yield break;
        }
        var biases = new Tensor[Parts];
        for (int p = 0; p < Parts; p++) biases[p] = PartBias(p)!;
        yield return new ActiveTensor("bias", biases);
    }

    // The active rows of one part: a [out, in] view of the matrix, or of the [rows, in, 1] weight (its columns cut by the caller).
    private Tensor PartRows(Tensor weight, int part)
    {
        if (Layout == PartLayout.Interleaved)
            return weight.Reshape(MaxOut, Parts, MaxIn).Select(1, part).Narrow(0, 0, ActiveOut).Narrow(1, 0, ActiveIn);
        var rows = weight.Narrow(0, part * MaxOut + OutStart, ActiveOut);
        return weight.Rank == 2 ? rows.Narrow(1, InStart, ActiveIn) : rows;
    }

    private Tensor? PartBias(int part) =>
        Bias?.Value.Narrow(0, (Layout == PartLayout.Interleaved ? ActiveOut : MaxOut) * part + OutStart, ActiveOut);

    // The weight as [rows, in] (a view of the [rows, in, 1] convolution layout).
    private Tensor Matrix() => Weight.Rank == 2 ? Weight.Value : Weight.Value.Reshape(Parts * MaxOut, MaxIn);

    private void CheckInput(Tensor x)
    {
        if (x.Rank == 0 || x.Size(-1) != ActiveIn)
            throw new ArgumentException($"This sliced layer's active input is {ActiveIn} wide; got {Tensor.FormatShape(x.Shape)}.");
    }
}
