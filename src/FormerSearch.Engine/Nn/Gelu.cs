namespace FormerSearch.Engine.Nn;

/// <summary>GELU, exact erf form (<c>nn.GELU()</c>): <c>x·Φ(x)</c>. Elementwise, no parameters.</summary>
public sealed class Gelu : Module, ILayer
{
    /// <summary>Same shape out.</summary>
    public Tensor Forward(Tensor x) => Functional.Gelu(x);
}
