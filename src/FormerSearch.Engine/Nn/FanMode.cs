namespace FormerSearch.Engine.Nn;

/// <summary>Which fan Kaiming initialisation preserves the variance of (PyTorch's <c>mode</c>).</summary>
public enum FanMode
{
    /// <summary>The forward pass (<c>fan_in</c>, PyTorch's default).</summary>
    FanIn,
    /// <summary>The backward pass (<c>fan_out</c>).</summary>
    FanOut,
}
