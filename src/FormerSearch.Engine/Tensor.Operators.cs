namespace FormerSearch.Engine;

public partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting, as <see cref="Functional.Add(Tensor, Tensor)"/>.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Functional.Add(a, b);

    /// <summary>Elementwise difference with broadcasting, as <see cref="Functional.Sub(Tensor, Tensor)"/>.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Functional.Sub(a, b);

    /// <summary>Elementwise product with broadcasting, as <see cref="Functional.Mul(Tensor, Tensor)"/>.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Functional.Mul(a, b);

    /// <summary>Elementwise quotient with broadcasting, as <see cref="Functional.Div(Tensor, Tensor)"/>.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Functional.Div(a, b);

    public static Tensor operator +(Tensor a, float s) => Functional.Add(a, s);

    public static Tensor operator -(Tensor a, float s) => Functional.Sub(a, s);

    public static Tensor operator *(Tensor a, float s) => Functional.Mul(a, s);

    public static Tensor operator *(float s, Tensor a) => Functional.Mul(a, s);

    public static Tensor operator /(Tensor a, float s) => Functional.Div(a, s);

    public static Tensor operator -(Tensor a) => Functional.Neg(a);
}
