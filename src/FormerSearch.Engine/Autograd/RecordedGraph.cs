namespace FormerSearch.Engine.Autograd;

/// <summary>
/// Nodes taken off the tape by <see cref="Tape.SetAside"/>: a graph kept out of the backward passes that run meanwhile,
/// back-propagated later from whatever gradient its outputs have collected by then. Disposing it without a backward
/// releases its nodes.
/// </summary>
public sealed class RecordedGraph : IDisposable
{
    private List<Function>? _nodes;

    internal RecordedGraph(List<Function> nodes) => _nodes = nodes;

    /// <summary>
    /// Back-propagates through the set-aside nodes (and any recorded since on this thread) from the gradients their
    /// outputs hold — e.g. a view's leaf that collected the passes' gradients into its base's — then releases them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The graph was already back-propagated or released.</exception>
    public void Backward()
    {
        var nodes = _nodes ?? throw new InvalidOperationException("This recorded graph was already back-propagated or released.");
        _nodes = null;
        Tape.Restore(nodes);
        Tape.BackwardAll();
    }

    /// <summary>Releases the nodes if <see cref="Backward"/> did not run.</summary>
    public void Dispose()
    {
        if (_nodes is not { } nodes) return;
        _nodes = null;
        Tape.Release(nodes, 0);
    }
}
