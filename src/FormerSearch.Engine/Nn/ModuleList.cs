namespace FormerSearch.Engine.Nn;

/// <summary>
/// An indexed list of child modules named "0", "1", … (PyTorch's <c>nn.ModuleList</c>), so a stack of
/// blocks gets names such as <c>blocks.3.attn.qkv.weight</c>.
/// </summary>
public sealed class ModuleList<T> : Module where T : Module
{
    private readonly List<T> _items = [];

    /// <summary>An empty list.</summary>
    public ModuleList() { }

    /// <summary>A list holding <paramref name="modules"/> in order.</summary>
    public ModuleList(IEnumerable<T> modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public T this[int index] => _items[index];

    /// <summary>Appends <paramref name="module"/> under the name of its index.</summary>
    public void Add(T module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<T> Items => _items;
}
