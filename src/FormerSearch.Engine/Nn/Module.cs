using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.IO;

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
    private readonly List<(string Name, Tensor Buffer, bool Optional)> _buffers = [];
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
    protected Tensor RegisterBuffer(string name, Tensor buffer) => RegisterBuffer(name, buffer, optionalOnLoad: false);

    /// <summary>
    /// Registers a buffer; with <paramref name="optionalOnLoad"/> a state dict lacking it still loads
    /// strictly and the buffer is zeroed, as PyTorch treats BatchNorm's <c>num_batches_tracked</c> in old checkpoints.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already used in this module.</exception>
    protected Tensor RegisterBuffer(string name, Tensor buffer, bool optionalOnLoad)
    {
        CheckName(name);
        _buffers.Add((name, buffer, optionalOnLoad));
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

    /// <summary>
    /// Puts <paramref name="module"/> in place of the child registered as <paramref name="name"/>, keeping
    /// its position in the iteration (and state-dict) order, and returns it — as assigning a new
    /// submodule to an attribute does in PyTorch (timm's <c>reset_classifier</c> swaps the head so).
    /// </summary>
    /// <exception cref="ArgumentException">No child is registered under <paramref name="name"/>, or the child is this module.</exception>
    protected T ReplaceModule<T>(string name, T module) where T : Module
    {
        if (ReferenceEquals(module, this)) throw new ArgumentException($"Module '{name}' cannot be registered as its own child.", nameof(module));
        int index = _modules.FindIndex(m => m.Name == name);
        if (index < 0) throw new ArgumentException($"{GetType().Name} has no child module named '{name}' to replace.", nameof(name));
        _modules[index] = (name, module);
        return module;
    }

    /// <summary>Direct children, by name, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules;

    /// <summary>This module and all its descendants, depth first (PyTorch's <c>modules()</c>).</summary>
    public IEnumerable<Module> Modules()
    {
        yield return this;
        foreach (var (_, child) in _modules)
            foreach (var m in child.Modules())
                yield return m;
    }

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
    /// The state dict as PyTorch lays it out when <paramref name="pytorchLayout"/> is set: fresh copies
    /// (outside any scope, no gradient), convolution weights OIHW <c>[out, in/groups, kh, kw]</c> and
    /// 1×1-convolution stand-ins <c>[out, in, 1, 1]</c> (see <see cref="ExternalLayout"/>). Without it,
    /// the same as <see cref="StateDict()"/>: the tensors themselves, in our layout.
    /// </summary>
    public Dictionary<string, Tensor> StateDict(bool pytorchLayout)
    {
        if (!pytorchLayout) return StateDict();
        var entries = new List<StateEntry>();
        CollectEntries("", entries);
        var result = new Dictionary<string, Tensor>(entries.Count);
        using (Tape.NoGrad())
        {
            foreach (var e in entries)
            {
                var external = ExternalShape(e.Tensor.Shape, e.Layout);
                var copy = Tensor.FromArray(new float[e.Tensor.Numel], external);
                copy.CopyFrom(ToExternalView(e.Tensor, e.Layout));
                result[e.Name] = copy;
            }
        }
        return result;
    }

    /// <summary>
    /// Copies the tensors of <paramref name="stateDict"/> into this module's parameters and buffers.
    /// Everything is checked before anything is copied, so a failed load leaves the module unchanged.
    /// With <paramref name="strict"/> off, missing and unexpected keys are returned instead of rejected.
    /// With <paramref name="pytorchLayout"/> the dictionary is in PyTorch's layouts (an official checkpoint,
    /// or <see cref="StateDict(bool)"/> with true): shapes are checked, and named in errors, as PyTorch
    /// shapes, and convolution weights are converted OIHW → OHWI while copying.
    /// Buffers registered as optional on load (BatchNorm's <c>num_batches_tracked</c>) may be absent; they are then zeroed.
    /// </summary>
    /// <returns>The keys the module has but the dictionary lacks, and the keys the module does not have.</returns>
    /// <exception cref="ArgumentException">A shape differs from the module's (always), or, when strict, keys are missing or unexpected; the message names them (a bug in the code that built the dictionary).</exception>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, bool pytorchLayout = false) =>
        Load(stateDict, strict, pytorchLayout, "the state dict", "the state dict", message => new ArgumentException(message, nameof(stateDict)));

    /// <summary>
    /// Writes the state dict to a safetensors file in PyTorch's names and layouts (F32; the file is
    /// written to a temporary name and renamed, so a failed save leaves any old file intact).
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void SaveSafeTensors(string path) =>
        SafeTensors.Save(path, StateDict(pytorchLayout: true), new Dictionary<string, string> { ["format"] = "pt" });

    /// <summary>
    /// Loads a safetensors file in PyTorch's names and layouts (what <see cref="SaveSafeTensors"/> writes, or an
    /// official checkpoint converted once to safetensors) as <see cref="LoadStateDict"/> with <c>pytorchLayout</c>.
    /// </summary>
    /// <returns>The missing and unexpected keys (both empty when <paramref name="strict"/>).</returns>
    /// <exception cref="UserInputException">
    /// The file cannot be read, is truncated or is not safetensors, or does not fit this module: keys are missing or unexpected
    /// (when strict) or shapes differ. The message names the file and the keys.
    /// </exception>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadSafeTensors(string path, bool strict = true) =>
        Load(SafeTensors.Load(path), strict, pytorchLayout: true, InputText.QuotePath(path), "the file", message => new UserInputException(message));

    /// <summary>
    /// Loads a weights file in any format <see cref="StateDictFile"/> reads — safetensors, or a PyTorch checkpoint (<c>.pth</c>,
    /// <c>.pth.tar</c>, <c>.pt</c>) — told apart by its content, as <see cref="LoadSafeTensors"/> does. <paramref name="key"/> picks
    /// the entry of a nested PyTorch checkpoint (<c>model</c>, <c>state_dict_ema</c>, …); <paramref name="notice"/> hears which
    /// entry was taken (null: standard error).
    /// </summary>
    /// <returns>The missing and unexpected keys (both empty when <paramref name="strict"/>).</returns>
    /// <exception cref="UserInputException">
    /// The file cannot be read, is in no format read here, is invalid (a PyTorch checkpoint naming a Python global a state dict does
    /// not use is refused unread), or does not fit this module. The message names the file and the keys.
    /// </exception>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadWeights(string path, bool strict = true, string? key = null, Action<string>? notice = null) =>
        Load(StateDictFile.Load(path, key, notice), strict, pytorchLayout: true, InputText.QuotePath(path), "the file", message => new UserInputException(message));

    private (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) Load(IReadOnlyDictionary<string, Tensor> stateDict, bool strict, bool pytorchLayout,
        string source, string sourceNoun, Func<string, Exception> misfit)
    {
        var entries = new List<StateEntry>();
        CollectEntries("", entries);
        var own = new HashSet<string>(entries.Count);
        var missing = new List<string>();
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        foreach (var e in entries)
        {
            own.Add(e.Name);
            if (!stateDict.TryGetValue(e.Name, out var given))
            {
                if (!e.Optional) missing.Add(e.Name);
                continue;
            }
            var expected = pytorchLayout ? ExternalShape(e.Tensor.Shape, e.Layout) : e.Tensor.Shape.ToArray();
            if (!given.Shape.SequenceEqual(expected))
                mismatched.Add($"{InputText.Quote(e.Name)} is {Tensor.FormatShape(given.Shape)} in {sourceNoun} but {Tensor.FormatShape(expected)} in the module"
                    + (pytorchLayout && e.Layout != ExternalLayout.Same ? " (PyTorch layout)" : ""));
        }
        foreach (var name in stateDict.Keys)
            if (!own.Contains(name)) unexpected.Add(name);

        var problems = new StateDictProblems(source, GetType().Name);
        problems.Add("size mismatch", "mismatched keys", mismatched);
        if (strict) problems.Add("missing key(s)", "missing keys", missing, quote: true);
        if (strict) problems.Add("unexpected key(s)", "unexpected keys", unexpected, quote: true);
        if (problems.Any) throw misfit(problems.Message());

        using (Tape.NoGrad())
        {
            foreach (var e in entries)
            {
                if (stateDict.TryGetValue(e.Name, out var value))
                    e.Tensor.CopyFrom(pytorchLayout ? FromExternalView(value, e.Layout) : value);
                else if (e.Optional)
                    e.Tensor.AsSpan().Clear();
            }
        }
        return (missing, unexpected);
    }

    // Our shape → the PyTorch checkpoint's shape.
    private static int[] ExternalShape(ReadOnlySpan<int> shape, ExternalLayout layout) => layout switch
    {
        ExternalLayout.ConvOihw when shape.Length == 4 => [shape[0], shape[3], shape[1], shape[2]],
        ExternalLayout.LinearAsConv1x1 when shape.Length == 2 => [shape[0], shape[1], 1, 1],
        ExternalLayout.Same => shape.ToArray(),
        _ => throw new InvalidOperationException($"A parameter of shape {Tensor.FormatShape(shape)} cannot have the external layout {layout}."),
    };

    // A view of our tensor in the external layout (OHWI → OIHW is a permutation, [out, in] → [out, in, 1, 1] a reshape).
    private static Tensor ToExternalView(Tensor t, ExternalLayout layout) => layout switch
    {
        ExternalLayout.ConvOihw => t.Permute(0, 3, 1, 2),
        ExternalLayout.LinearAsConv1x1 => t.Reshape(t.Size(0), t.Size(1), 1, 1),
        _ => t,
    };

    // A view of an external tensor (shape already checked) in our layout.
    private static Tensor FromExternalView(Tensor t, ExternalLayout layout) => layout switch
    {
        ExternalLayout.ConvOihw => t.Permute(0, 2, 3, 1),
        ExternalLayout.LinearAsConv1x1 => t.Reshape(t.Size(0), t.Size(1)),
        _ => t,
    };

    private readonly record struct StateEntry(string Name, Tensor Tensor, ExternalLayout Layout, bool Optional);

    private void CollectEntries(string prefix, List<StateEntry> into)
    {
        foreach (var (name, p) in _parameters) into.Add(new StateEntry(prefix + name, p.Value, p.ExternalLayout, false));
        foreach (var (name, b, optional) in _buffers) into.Add(new StateEntry(prefix + name, b, ExternalLayout.Same, optional));
        foreach (var (name, m) in _modules) m.CollectEntries(prefix + name + ".", into);
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
        foreach (var (name, b, _) in _buffers) into.Add((prefix + name, b));
        foreach (var (name, m) in _modules) m.CollectBuffers(prefix + name + ".", into);
    }

    private void CollectState(string prefix, Dictionary<string, Tensor> into)
    {
        foreach (var (name, p) in _parameters) into[prefix + name] = p.Value;
        foreach (var (name, b, _) in _buffers) into[prefix + name] = b;
        foreach (var (name, m) in _modules) m.CollectState(prefix + name + ".", into);
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name in {GetType().Name}: it must be non-empty and contain no dot.", nameof(name));
        foreach (var (n, _) in _parameters) ThrowIfSame(n, name);
        foreach (var (n, _, _) in _buffers) ThrowIfSame(n, name);
        foreach (var (n, _) in _modules) ThrowIfSame(n, name);
    }

    private void ThrowIfSame(string existing, string name)
    {
        if (existing == name) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
    }

}
