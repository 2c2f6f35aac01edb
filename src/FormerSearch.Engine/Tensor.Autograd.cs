using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine;

public partial class Tensor
{
    /// <summary>Back-propagates from this single-element tensor (a loss), then releases the graph.</summary>
    public void Backward()
    {
        if (_numel != 1)
            throw new InvalidOperationException($"Backward() needs a single-element tensor; this one is {FormatShape(Shape)} (pass a gradient).");
        Backward(Full(1f, Shape));
    }

    /// <summary>Back-propagates <paramref name="gradient"/> (same shape as this tensor), then releases the graph.</summary>
    public void Backward(Tensor gradient)
    {
        if (!RequiresGrad)
            throw new InvalidOperationException("Backward on a tensor that does not require a gradient (was it computed under NoGrad, or from inputs without RequiresGrad?).");
        if (!Shape.SequenceEqual(gradient.Shape))
            throw new ArgumentException($"The gradient's shape {FormatShape(gradient.Shape)} differs from the tensor's {FormatShape(Shape)}.");
        Tape.Backward(this, gradient);
    }

    /// <summary>
    /// Sets the gradient's elements to zero (keeping its buffer). A tensor's own gradient (not a view's) is zeroed when it is
    /// next read or added into; a backward pass that writes all of it first (a linear layer's weight gradient) overwrites
    /// it instead — the fill PyTorch's <c>set_to_none</c> saves: PoolFormer-S12's 12 M gradients, filled on one thread, were
    /// ~0.6 % of its training step.
    /// </summary>
    public void ZeroGrad()
    {
        if (_grad is not null && Base is null) _gradZeroPending = true;
        else if (Grad is { } g) Kernels.Elementwise.StridedOps.Fill(g, 0f);
    }

    // Writes the zeros ZeroGrad left pending.
    private void ZeroPendingGrad()
    {
        if (!_gradZeroPending) return;
        _gradZeroPending = false;
        Kernels.Elementwise.StridedOps.Fill(_grad!, 0f);
    }

    /// <summary>
    /// Makes this tensor a leaf that collects gradient and allocates its zeroed gradient now, in the current
    /// <see cref="Memory.TensorScope"/>: a value computed once and used by several inner scopes that each backpropagate
    /// (the passes of a step) then keeps the sum of what they send back after they end. Returns this tensor.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is the output of a recorded op (not a leaf).</exception>
    public Tensor CollectGradientHere()
    {
        ThrowIfReleased();
        if (GradFn is not null) throw new InvalidOperationException("CollectGradientHere needs a leaf; this tensor is the output of a recorded op.");
        RequiresGrad = true;
        EnsureGrad();
        return this;
    }

    /// <summary>
    /// The gradient tensor to write into. <paramref name="overwrite"/> false: the existing (or a zeroed) gradient, to
    /// add into. True: this tensor had no gradient yet and owns its buffer (not a view, made inside a scope), so a new
    /// one is handed out unfilled — or its gradient's zeros are still pending (<see cref="ZeroGrad"/>) — and the caller
    /// must write every element: a first contribution that covers the whole gradient then costs no zero fill (which ran
    /// on one thread and was ~4 % of a supernet step).
    /// </summary>
    internal Tensor EnsureGradToWrite(out bool overwrite)
    {
        if (_gradZeroPending)
        {
            _gradZeroPending = false;
            overwrite = true;
            return _grad!;
        }
        overwrite = _grad is null && Base is null && _ownsPooledBuffer;
        if (!overwrite) return EnsureGrad();
        _grad = Empty(Shape);
        return _grad;
    }

    /// <summary>The gradient tensor, created zeroed on first use (a view of the base's gradient for views).</summary>
    internal Tensor EnsureGrad()
    {
        if (_grad is not null)
        {
            Base?.ZeroPendingGrad();
            ZeroPendingGrad();
            return _grad;
        }
        if (Base is not null)
        {
            var baseGrad = Base.EnsureGrad();
            _grad = baseGrad.View(baseGrad._offset + _offset - Base._offset, Shape, Strides);
            _grad.RequiresGrad = false;
        }
        else if (_ownsPooledBuffer)
        {
            _grad = Zeros(Shape);
        }
        else
        {
            // Leaves outside scopes (parameters) keep their gradient buffer for the whole run.
            var g = new Tensor { _data = new float[_numel] };
            g.SetContiguous(Shape, _numel);
            _grad = g;
        }
        return _grad;
    }
}
