namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.Dropout(p)</c>: in training mode each element is zeroed with probability <c>p</c> (drawn from the
/// layer's generator) and the rest scaled by <c>1/(1−p)</c>; the identity in evaluation mode or when <c>p = 0</c>.
/// </summary>
public sealed class Dropout : DropLayer
{
    /// <summary>A dropout layer zeroing an element with probability <paramref name="p"/>, drawing its masks from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(float p, Generator generator) : base(p, generator) { }

    /// <summary>Same shape out; <paramref name="x"/> itself when not training or <c>p = 0</c>.</summary>
    public override Tensor Forward(Tensor x) => Functional.Dropout(x, P, Training, Generator);
}
