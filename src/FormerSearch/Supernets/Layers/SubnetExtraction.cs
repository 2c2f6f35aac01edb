using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// Extraction derived from the module trees: the supernet's active modules (its children, or only the active ones of an
/// <see cref="IActiveChildren"/>), depth first, are the standalone model's modules in their registration order, once
/// modules without state of their own are left out (activations, dropout, pooling, wrappers). Each pair is matched by
/// the tensors' own names, which both layers share (<c>weight</c>, <c>bias</c>, <c>running_mean</c>…), and every active
/// slice (<see cref="ISlicedLayer"/>) or whole tensor is copied under the standalone model's name for it: no supernet
/// spells a standalone name.
/// </summary>
public static class SubnetExtraction
{
    /// <summary>Copies the active subnet of <paramref name="supernet"/> into <paramref name="standalone"/>, the model of the same architecture.</summary>
    /// <exception cref="InvalidOperationException">The two trees do not pair up (a supernet whose active modules do not mirror its standalone model: a bug).</exception>
    public static void CopyInto(Module supernet, Module standalone)
    {
        var sources = ActiveUnits(supernet, "").ToList();
        var targets = StandaloneUnits(standalone, "").ToList();
        using var _ = Tape.NoGrad();
        for (int i = 0; i < Math.Max(sources.Count, targets.Count); i++)
        {
            if (i >= sources.Count || i >= targets.Count)
                throw new InvalidOperationException($"The active supernet has {sources.Count} modules with state but its standalone model has {targets.Count}; "
                    + $"the first unpaired is {(i < sources.Count ? "supernet '" + sources[i].Path : "standalone '" + targets[i].Path)}'.");
            Copy(sources[i], targets[i]);
        }
    }

    /// <summary>Every active slice of <paramref name="supernet"/> as views of its weights and buffers, named by the supernet's own tensor names (a tensor of several parts as <c>name#0</c>, <c>name#1</c>, …).</summary>
    public static Dictionary<string, Tensor> ActiveViews(Module supernet)
    {
        var views = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, state) in ActiveUnits(supernet, ""))
        {
            foreach (var (name, parts) in state)
            {
                string full = Join(path, name);
                if (parts.Count == 1) views[full] = parts[0];
                else for (int p = 0; p < parts.Count; p++) views[$"{full}#{p}"] = parts[p];
            }
        }
        return views;
    }

    private static void Copy((string Path, List<ActiveTensor> State) source, (string Path, Dictionary<string, Tensor> State) target)
    {
        if (source.State.Count != target.State.Count || source.State.Any(s => !target.State.ContainsKey(s.Name)))
            throw new InvalidOperationException($"The supernet's '{source.Path}' ({string.Join(", ", source.State.Select(s => s.Name))}) does not pair with "
                + $"the standalone '{target.Path}' ({string.Join(", ", target.State.Keys)}).");
        foreach (var (name, parts) in source.State)
        {
            var whole = target.State[name];
            // A scalar (BatchNorm's num_batches_tracked) is one part; anything else stacks its parts along dimension 0.
            int offset = 0, rows = whole.Rank == 0 ? 1 : whole.Size(0);
            foreach (var part in parts)
            {
                var slot = whole.Rank == 0 ? whole : whole.Narrow(0, offset, Math.Min(part.Size(0), rows - offset));
                if (!slot.Shape.SequenceEqual(part.Shape))
                    throw new InvalidOperationException($"The supernet's '{Join(source.Path, name)}' slice {Tensor.FormatShape(part.Shape)} does not fit the standalone '{Join(target.Path, name)}' {Tensor.FormatShape(whole.Shape)}.");
                slot.CopyFrom(part);
                offset += whole.Rank == 0 ? 1 : slot.Size(0);
            }
            if (offset != rows)
                throw new InvalidOperationException($"The supernet's '{Join(source.Path, name)}' slices cover {offset} of the {rows} rows of the standalone '{Join(target.Path, name)}'.");
        }
    }

    // The supernet's modules that the active subnet uses and that hold state, depth first, each with its active tensors.
    private static IEnumerable<(string Path, List<ActiveTensor> State)> ActiveUnits(Module module, string path)
    {
        var state = module is ISlicedLayer sliced
            ? sliced.ActiveState().ToList()
            : OwnState(module).Select(e => new ActiveTensor(e.Key, e.Value)).ToList();
        if (state.Count > 0) yield return (path, state);
        var children = module is IActiveChildren active ? active.ActiveChildren() : module.NamedChildren();
        foreach (var (name, child) in children)
            foreach (var unit in ActiveUnits(child, Join(path, name)))
                yield return unit;
    }

    private static IEnumerable<(string Path, Dictionary<string, Tensor> State)> StandaloneUnits(Module module, string path)
    {
        var state = OwnState(module);
        if (state.Count > 0) yield return (path, state);
        foreach (var (name, child) in module.NamedChildren())
            foreach (var unit in StandaloneUnits(child, Join(path, name)))
                yield return unit;
    }

    // A module's own parameters and buffers (not its children's), by name.
    private static Dictionary<string, Tensor> OwnState(Module module)
    {
        var own = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in module.NamedParameters())
            if (!name.Contains('.', StringComparison.Ordinal)) own[name] = parameter.Value;
        foreach (var (name, buffer) in module.NamedBuffers())
            if (!name.Contains('.', StringComparison.Ordinal)) own[name] = buffer;
        return own;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
