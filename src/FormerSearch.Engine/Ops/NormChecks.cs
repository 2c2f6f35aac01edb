namespace FormerSearch.Engine.Ops;

/// <summary>Argument checks shared by the normalisation ops.</summary>
internal static class NormChecks
{
    /// <summary>Throws unless <paramref name="weight"/> and <paramref name="bias"/> are absent or <c>[c]</c>.</summary>
    public static void Affine(string op, Tensor x, Tensor? weight, Tensor? bias, int c)
    {
        if (weight is not null && (weight.Rank != 1 || weight.Size(0) != c))
            throw new ArgumentException($"{op} weight must be [{c}] for input {Tensor.FormatShape(x.Shape)}; got {Tensor.FormatShape(weight.Shape)}.");
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != c))
            throw new ArgumentException($"{op} bias must be [{c}] for input {Tensor.FormatShape(x.Shape)}; got {Tensor.FormatShape(bias.Shape)}.");
    }
}
