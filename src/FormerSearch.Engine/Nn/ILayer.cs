namespace FormerSearch.Engine.Nn;

/// <summary>A module with a one-tensor forward, so layers can be chained (<see cref="Sequential"/>).</summary>
public interface ILayer
{
    /// <summary>Computes the layer's output for <paramref name="x"/>.</summary>
    Tensor Forward(Tensor x);
}
