namespace FormerSearch.Engine.Nn;

/// <summary>
/// MetaFormer's StarReLU <c>scale·relu(x)² + bias</c> with learnable one-element parameters <c>scale</c> and
/// <c>bias</c> (shape <c>[1]</c>, as in the official <c>StarReLU</c>).
/// </summary>
public sealed class StarRelu : Layer
{
    /// <summary>A StarReLU starting from the given scale and bias (the official defaults are 1 and 0).</summary>
    public StarRelu(float scaleValue = 1f, float biasValue = 0f)
    {
        Scale = RegisterParameter("scale", new Parameter(1));
        Bias = RegisterParameter("bias", new Parameter(1));
        Init.Constant(Scale.Value, scaleValue);
        Init.Constant(Bias.Value, biasValue);
    }

    /// <summary><c>[1]</c> scale.</summary>
    public Parameter Scale { get; }

    /// <summary><c>[1]</c> shift.</summary>
    public Parameter Bias { get; }

    /// <summary>Same shape out.</summary>
    public override Tensor Forward(Tensor x) => Functional.StarRelu(x, Scale.Value, Bias.Value);
}
