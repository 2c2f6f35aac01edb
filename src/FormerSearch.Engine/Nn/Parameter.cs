namespace FormerSearch.Engine.Nn;

/// <summary>
/// A trainable tensor of a <see cref="Module"/>. It wraps (rather than subclasses) a
/// <see cref="Tensor"/> that requires a gradient and lives outside every
/// <see cref="Memory.TensorScope"/>, so neither it nor its gradient is ever returned to the pool,
/// plus optimiser hints such as <see cref="NoWeightDecay"/>.
/// </summary>
public sealed class Parameter
{
    /// <summary>A zero-filled parameter of this shape; 0-D and 1-D parameters (biases, norm scales) default to no weight decay.</summary>
    public Parameter(params ReadOnlySpan<int> shape)
    {
        int numel = Tensor.CheckedNumel(shape);
        // FromArray never takes a pooled buffer, even inside a TensorScope.
        Value = Tensor.FromArray(numel == 0 ? [] : new float[numel], shape);
        Value.RequiresGrad = true;
        NoWeightDecay = shape.Length <= 1;
    }

    /// <summary>A parameter holding a copy of <paramref name="initial"/>'s elements (any layout, scoped or not).</summary>
    public Parameter(Tensor initial) : this(initial.Shape) => Value.CopyFrom(initial);

    /// <summary>The tensor itself: pass it to ops; its <see cref="Tensor.Grad"/> accumulates across backward passes until zeroed.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient, or null before any backward pass reached this parameter.</summary>
    public Tensor? Grad => Value.Grad;

    /// <summary>
    /// Creates the (zero) gradient if the parameter has none yet. Optimisers skip parameters without a gradient (as
    /// PyTorch's do for <c>grad is None</c>), so a resumed run must give a gradient to exactly those parameters that
    /// had one when the checkpoint was written.
    /// </summary>
    public void EnsureGradient() => Value.EnsureGrad();

    /// <summary>
    /// Optimiser hint: exclude from weight decay (norm weights, biases, embeddings, position embeddings,
    /// class tokens, layer scales), as timm's <c>param_groups_weight_decay</c> does.
    /// </summary>
    public bool NoWeightDecay { get; set; }

    /// <summary>
    /// How PyTorch checkpoints lay this parameter out (<see cref="Nn.ExternalLayout.Same"/> unless a layer says
    /// otherwise); used when a state dict is exported or loaded in PyTorch layout.
    /// </summary>
    public ExternalLayout ExternalLayout { get; set; }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Value.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => Value.Numel;

    /// <summary>Zeroes the gradient in place (keeping its buffer, so steady-state steps allocate nothing).</summary>
    public void ZeroGrad() => Value.ZeroGrad();

    public override string ToString() => $"Parameter{Tensor.FormatShape(Shape)}" + (NoWeightDecay ? " no_weight_decay" : "");
}
