namespace FormerSearch.Engine.Nn;

/// <summary>GELU, exact erf form (<c>nn.GELU()</c>): <c>x·Φ(x)</c>. Elementwise, no parameters.</summary>
public sealed class Gelu : Layer
{
    /// <summary>Same shape out.</summary>
    public override Tensor Forward(Tensor x) => Functional.Gelu(x);
}
