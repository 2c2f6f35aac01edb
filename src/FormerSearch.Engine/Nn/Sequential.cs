using System.Globalization;

namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.Sequential</c>: layers applied in order, registered as children named "0", "1", … so their
/// parameters are named <c>0.weight</c>, <c>1.bias</c>, … as in PyTorch checkpoints.
/// </summary>
public sealed class Sequential : Module, ILayer
{
    private readonly List<ILayer> _layers = [];

    /// <summary>A sequence of <paramref name="layers"/> (each must be a <see cref="Module"/>).</summary>
    /// <exception cref="ArgumentException">A layer is not a <see cref="Module"/> or is this sequence.</exception>
    public Sequential(params ReadOnlySpan<ILayer> layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>A sequence of <paramref name="layers"/> (each must be a <see cref="Module"/>).</summary>
    /// <exception cref="ArgumentException">A layer is not a <see cref="Module"/> or is this sequence.</exception>
    public Sequential(IEnumerable<ILayer> layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public ILayer this[int index] => _layers[index];

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>Appends <paramref name="layer"/> under the name of its index.</summary>
    /// <exception cref="ArgumentException">The layer is not a <see cref="Module"/> or is this sequence.</exception>
    public void Add(ILayer layer)
    {
        if (layer is not Module module)
            throw new ArgumentException($"Sequential holds modules; {layer.GetType().Name} is an ILayer but not a Module.", nameof(layer));
        RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), module);
        _layers.Add(layer);
    }

    /// <summary>Feeds <paramref name="x"/> through every layer in order (the input itself when empty).</summary>
    public Tensor Forward(Tensor x)
    {
        for (int i = 0; i < _layers.Count; i++) x = _layers[i].Forward(x);
        return x;
    }
}
