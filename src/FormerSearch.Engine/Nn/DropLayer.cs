namespace FormerSearch.Engine.Nn;

/// <summary>
/// What <see cref="Dropout"/> and <see cref="DropPath"/> share (as PyTorch's <c>_DropoutNd</c>): a probability
/// <c>p</c> in [0, 1] of dropping (an element, a sample's path) in training mode, and the generator the draws come from.
/// </summary>
public abstract class DropLayer : Layer
{
    /// <summary>A layer dropping with probability <paramref name="p"/>, drawing from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    protected DropLayer(float p, Generator generator)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"{GetType().Name} probability must be in [0, 1]; got {p}.", nameof(p));
        P = p;
        Generator = generator;
    }

    /// <summary>Probability of dropping.</summary>
    public float P { get; }

    /// <summary>Where the draws come from.</summary>
    protected Generator Generator { get; }
}
