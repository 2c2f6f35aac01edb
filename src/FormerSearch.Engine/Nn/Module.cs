namespace FormerSearch.Engine.Nn;

/// <summary>
/// Base of layers and models, as <c>torch.nn.Module</c>: a tree of named child modules, each owning
/// named <see cref="Parameter"/>s and buffers (non-trained state such as BatchNorm running
/// statistics). Names compose PyTorch-style with dots (<c>blocks.0.norm1.weight</c>), so state dicts
/// match timm checkpoints. Registration order is the iteration order.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Tensor Buffer)> _buffers = [];
    private readonly List<(string Name, Module Module)> _modules = [];

    /// <summary>True in training mode (dropout active, BatchNorm using batch statistics); the default.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Sets training mode on this module and every descendant; returns this module.</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (var (_, m) in _modules) m.Train(mode);
        return this;
    }

    /// <summary>Sets evaluation mode on this module and every descendant; returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Registers <paramref name="parameter"/> under <paramref name="name"/> and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already used in this module.</exception>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        CheckName(name);
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a buffer (state saved in the state dict but not trained) and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already used in this module.</exception>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        _buffers.Add((name, buffer));
        return buffer;
    }

    /// <summary>Registers a child module and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already used in this module, or the child is this module.</exception>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"Module '{name}' cannot be registered as its own child.", nameof(module));
        _modules.Add((name, module));
        return module;
    }

    /// <summary>Direct children, by name, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules;

    /// <summary>Every parameter of this module and its descendants with its dotted name (own parameters first, then children's, depth first).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var result = new List<(string, Parameter)>();
        CollectParameters("", result);
        return result;
    }

    /// <summary>Every parameter, in <see cref="NamedParameters"/> order.</summary>
    public IEnumerable<Parameter> Parameters()
    {
        foreach (var (_, p) in NamedParameters()) yield return p;
    }

    /// <summary>Every buffer of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var result = new List<(string, Tensor)>();
        CollectBuffers("", result);
        return result;
    }

    /// <summary>
    /// Parameters and buffers by dotted name (the tensors themselves, not copies), in the order
    /// PyTorch's <c>state_dict()</c> lists them: each module's parameters, then its buffers, then its children.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        CollectState("", result);
        return result;
    }

    /// <summary>
    /// Copies the tensors of <paramref name="stateDict"/> into this module's parameters and buffers.
    /// Everything is checked before anything is copied, so a failed load leaves the module unchanged.
    /// With <paramref name="strict"/> off, missing and unexpected keys are returned instead of rejected.
    /// </summary>
    /// <returns>The keys the module has but the dictionary lacks, and the keys the module does not have.</returns>
    /// <exception cref="ArgumentException">A shape differs from the module's (always), or, when strict, keys are missing or unexpected; the message names them.</exception>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        var own = StateDict();
        var missing = new List<string>();
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!stateDict.TryGetValue(name, out var source)) missing.Add(name);
            else if (!source.Shape.SequenceEqual(target.Shape))
                mismatched.Add($"'{name}' has shape {Tensor.FormatShape(source.Shape)} in the state dict but {Tensor.FormatShape(target.Shape)} in the module");
        }
        foreach (var name in stateDict.Keys)
            if (!own.ContainsKey(name)) unexpected.Add(name);

        var problems = new List<string>();
        if (mismatched.Count > 0) problems.Add("size mismatch: " + string.Join("; ", mismatched));
        if (strict && missing.Count > 0) problems.Add("missing key(s): " + Quote(missing));
        if (strict && unexpected.Count > 0) problems.Add("unexpected key(s): " + Quote(unexpected));
        if (problems.Count > 0)
            throw new ArgumentException($"Cannot load the state dict into {GetType().Name}: {string.Join("; ", problems)}.", nameof(stateDict));

        foreach (var (name, target) in own)
            if (stateDict.TryGetValue(name, out var source)) target.CopyFrom(source);
        return (missing, unexpected);
    }

    /// <summary>Zeroes the gradient of every parameter (keeping the buffers).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters()) p.ZeroGrad();
    }

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount()
    {
        long count = 0;
        foreach (var (_, p) in NamedParameters()) count += p.Numel;
        return count;
    }

    private void CollectParameters(string prefix, List<(string, Parameter)> into)
    {
        foreach (var (name, p) in _parameters) into.Add((prefix + name, p));
        foreach (var (name, m) in _modules) m.CollectParameters(prefix + name + ".", into);
    }

    private void CollectBuffers(string prefix, List<(string, Tensor)> into)
    {
        foreach (var (name, b) in _buffers) into.Add((prefix + name, b));
        foreach (var (name, m) in _modules) m.CollectBuffers(prefix + name + ".", into);
    }

    private void CollectState(string prefix, Dictionary<string, Tensor> into)
    {
        foreach (var (name, p) in _parameters) into[prefix + name] = p.Value;
        foreach (var (name, b) in _buffers) into[prefix + name] = b;
        foreach (var (name, m) in _modules) m.CollectState(prefix + name + ".", into);
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name in {GetType().Name}: it must be non-empty and contain no dot.", nameof(name));
        foreach (var (n, _) in _parameters) ThrowIfSame(n, name);
        foreach (var (n, _) in _buffers) ThrowIfSame(n, name);
        foreach (var (n, _) in _modules) ThrowIfSame(n, name);
    }

    private void ThrowIfSame(string existing, string name)
    {
        if (existing == name) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
    }

    private static string Quote(List<string> names) => string.Join(", ", names.Select(n => "'" + n + "'"));
}
