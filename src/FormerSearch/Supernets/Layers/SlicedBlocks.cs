using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// The blocks of an entangled depth: the largest number of blocks, registered <c>0</c>, <c>1</c>, … as a
/// <see cref="ModuleList{T}"/> registers them, of which the active subnet runs the first <see cref="Depth"/>.
/// </summary>
/// <typeparam name="T">The block type.</typeparam>
public sealed class SlicedBlocks<T> : Module, IActiveChildren where T : Module
{
    private readonly List<T> _blocks = [];

    /// <summary>The blocks <paramref name="blocks"/>, all active.</summary>
    /// <exception cref="ArgumentException">There is no block.</exception>
    public SlicedBlocks(IEnumerable<T> blocks)
    {
        foreach (var block in blocks)
        {
            RegisterModule(_blocks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), block);
            _blocks.Add(block);
        }
        if (_blocks.Count == 0) throw new ArgumentException("A sliced depth needs at least one block.");
        Depth = _blocks.Count;
    }

    /// <summary>Every block, active or not.</summary>
    public IReadOnlyList<T> All => _blocks;

    /// <summary>Blocks the active subnet runs: the first ones.</summary>
    public int Depth { get; private set; }

    /// <summary>Block <paramref name="index"/>.</summary>
    public T this[int index] => _blocks[index];

    /// <summary>Makes the first <paramref name="depth"/> blocks active.</summary>
    /// <exception cref="ArgumentException">The depth is not in 1…the number of blocks.</exception>
    public void Activate(int depth)
    {
        if (depth < 1 || depth > _blocks.Count) throw new ArgumentException($"A sliced depth of {_blocks.Count} blocks cannot run {depth}.");
        Depth = depth;
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, Module Module)> ActiveChildren() => NamedChildren().Take(Depth);
}
