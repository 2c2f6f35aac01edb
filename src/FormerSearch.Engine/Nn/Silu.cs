namespace FormerSearch.Engine.Nn;

/// <summary><c>nn.SiLU</c> (swish): <c>x·σ(x)</c>. Elementwise, no parameters.</summary>
public sealed class Silu : Layer
{
    /// <summary>Same shape out.</summary>
    public override Tensor Forward(Tensor x) => Functional.Silu(x);
}
