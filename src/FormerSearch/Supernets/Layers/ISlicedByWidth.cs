namespace FormerSearch.Supernets.Layers;

/// <summary>A sliced layer whose active slice is one width, the same at its input and output: a norm, a depthwise convolution, a token mixer.</summary>
public interface ISlicedByWidth
{
    /// <summary>Makes the first <paramref name="width"/> channels active.</summary>
    /// <exception cref="ArgumentException">The width is not in 1…the layer's largest.</exception>
    void Activate(int width);
}
