namespace FormerSearch.Engine.Nn;

/// <summary>
/// A <see cref="Module"/> with a one-tensor forward: what a <see cref="Sequential"/> chains and what a block holds as
/// its norm, mixer or activation, so no caller has to cast a module to <see cref="ILayer"/>.
/// </summary>
public abstract class Layer : Module, ILayer
{
    /// <inheritdoc/>
    public abstract Tensor Forward(Tensor x);
}
