namespace FormerSearch.Engine.Nn;

/// <summary><c>nn.Identity</c>: returns its input (a placeholder for a skipped norm, mixer or activation).</summary>
public sealed class Identity : Layer
{
    /// <summary>Returns <paramref name="x"/> itself.</summary>
    public override Tensor Forward(Tensor x) => x;
}
