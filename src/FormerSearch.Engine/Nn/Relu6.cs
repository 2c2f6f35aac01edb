namespace FormerSearch.Engine.Nn;

/// <summary><c>nn.ReLU6</c>: <c>min(max(x, 0), 6)</c>. Elementwise, no parameters.</summary>
public sealed class Relu6 : Layer
{
    /// <summary>Same shape out.</summary>
    public override Tensor Forward(Tensor x) => Functional.Relu6(x);
}
