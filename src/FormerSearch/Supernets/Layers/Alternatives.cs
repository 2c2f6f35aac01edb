using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// Alternatives with weights of their own (SPOS style: an op, a norm, a head split), registered under their names, of
/// which one is active: it alone runs, and it alone fills the standalone model's layer.
/// </summary>
/// <typeparam name="T">The alternatives' type.</typeparam>
public sealed class Alternatives<T> : Layer, IActiveChildren where T : Layer
{
    private readonly (string Name, T Layer)[] _items;

    /// <summary>The named alternatives, the first active.</summary>
    /// <exception cref="ArgumentException">There is no alternative.</exception>
    public Alternatives(IEnumerable<(string Name, T Layer)> alternatives)
    {
        _items = alternatives.ToArray();
        if (_items.Length == 0) throw new ArgumentException("A choice needs at least one alternative.");
        foreach (var (name, layer) in _items) RegisterModule(name, layer);
    }

    /// <summary>The alternatives named <c>0</c>, <c>1</c>, … in order, the first active.</summary>
    /// <exception cref="ArgumentException">There is no alternative.</exception>
    public Alternatives(IEnumerable<T> alternatives)
        : this(alternatives.Select((layer, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), layer))) { }

    /// <summary>Number of alternatives.</summary>
    public int Count => _items.Length;

    /// <summary>Index of the active alternative.</summary>
    public int ActiveIndex { get; private set; }

    /// <summary>The active alternative.</summary>
    public T Active => _items[ActiveIndex].Layer;

    /// <summary>Alternative <paramref name="index"/>.</summary>
    public T this[int index] => _items[index].Layer;

    /// <summary>Makes alternative <paramref name="index"/> active and returns it.</summary>
    /// <exception cref="ArgumentException">No such alternative.</exception>
    public T Activate(int index)
    {
        if ((uint)index >= (uint)_items.Length) throw new ArgumentException($"This choice has {_items.Length} alternatives; asked for {index}.");
        ActiveIndex = index;
        return Active;
    }

    /// <summary>The active alternative's output.</summary>
    public override Tensor Forward(Tensor x) => Active.Forward(x);

    /// <inheritdoc/>
    public IEnumerable<(string Name, Module Module)> ActiveChildren() => [(_items[ActiveIndex].Name, _items[ActiveIndex].Layer)];
}
