namespace FormerSearch.Engine.Nn;

/// <summary><c>nn.ReLU</c>: <c>max(x, 0)</c>. Elementwise, no parameters.</summary>
public sealed class Relu : Layer
{
    /// <summary>Same shape out.</summary>
    public override Tensor Forward(Tensor x) => Functional.Relu(x);
}
