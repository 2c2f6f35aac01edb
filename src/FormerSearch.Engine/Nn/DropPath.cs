namespace FormerSearch.Engine.Nn;

/// <summary>
/// Stochastic depth (timm's <c>DropPath</c>): in training mode each sample of the batch is zeroed with
/// probability <c>p</c> (one draw per sample from the layer's generator) and kept ones are scaled by
/// <c>1/(1−p)</c>; the identity in evaluation mode or when <c>p = 0</c>.
/// </summary>
public sealed class DropPath : DropLayer
{
    /// <summary>A drop-path layer dropping a sample's path with probability <paramref name="p"/>, drawing from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    public DropPath(float p, Generator generator) : base(p, generator) { }

    /// <summary><c>[B, …]</c>, same shape out; <paramref name="x"/> itself when not training or <c>p = 0</c>.</summary>
    /// <exception cref="ArgumentException">Training with <c>p &gt; 0</c> on a scalar.</exception>
    public override Tensor Forward(Tensor x) => Functional.DropPath(x, P, Training, Generator);
}
