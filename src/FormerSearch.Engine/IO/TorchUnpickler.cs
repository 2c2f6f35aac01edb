using System.Collections;
using Razorvine.Pickle;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Razorvine's unpickler taught the few globals of a PyTorch state dict: <c>collections.OrderedDict</c>, the tensor and
/// parameter rebuilders, the storage types and <c>torch.Size</c>; storages arrive as persistent ids and are looked up
/// in the archive only when a tensor that is taken needs them. Razorvine never runs Python, but it turns any other global
/// into an inert record, silently — so only a pickle that <see cref="TorchPickleScanner"/> passed may reach it.
/// </summary>
internal sealed class TorchUnpickler : Unpickler
{
    // Razorvine's table of constructors is static (one per process): the type initializer fills it once, thread-safely,
    // before any instance exists, with constructors that keep no state of their own.
    static TorchUnpickler()
    {
        registerConstructor("collections", "OrderedDict", new Constructor(NewOrderedDict));
        registerConstructor("torch._utils", "_rebuild_tensor_v2", new Constructor(RebuildTensor));
        registerConstructor("torch._utils", "_rebuild_parameter", new Constructor(RebuildParameter));
        registerConstructor("torch", "Size", new Constructor(args => args.Length == 1 && args[0] is object[] sizes ? sizes : throw Malformed("torch.Size expects one tuple")));
        foreach (var type in TorchStorageType.All) registerConstructor("torch", type.Name, type);
    }

    private readonly Dictionary<string, TorchStorage> _storages = new(StringComparer.Ordinal);

    /// <summary>The storages the pickle named, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorage> Storages => _storages;

    // BINPERSID: ('storage', storage type, key, location, numel) — what torch.save writes for every storage.
    protected override object persistentLoad(object pid)
    {
        if (pid is not object[] { Length: 5 } t || t[0] is not "storage")
            throw Malformed("a persistent id is not a ('storage', type, key, location, numel) tuple");
        if (t[1] is not TorchStorageType type) throw Malformed("a storage's type is not a torch storage type");
        if (t[2] is not string key || key.Length == 0) throw Malformed("a storage's key is not a string");
        long numel = ToLong(t[4], "a storage's size");
        if (numel < 0 || numel > Array.MaxLength / type.ElementSize)
            throw Malformed($"storage '{key}' claims {numel} elements of {type.ElementSize} bytes; at most {Array.MaxLength / type.ElementSize} are supported");
        if (_storages.TryGetValue(key, out var known))
        {
            if (known.Type != type || known.Numel != numel) throw Malformed($"storage '{key}' is described twice, differently");
            return known;
        }
        return _storages[key] = new TorchStorage(key, type, numel);
    }

    private static object NewOrderedDict(object[] args)
    {
        var dict = new PickledDict();
        if (args.Length == 0) return dict;
        if (args.Length != 1 || args[0] is not ArrayList pairs) throw Malformed("an OrderedDict is built from something other than a list of pairs");
        foreach (var pair in pairs)
        {
            if (pair is not object[] { Length: 2 } kv || kv[0] is null) throw Malformed("an OrderedDict is built from something other than pairs");
            dict[kv[0]] = kv[1];
        }
        return dict;
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private static object RebuildTensor(object[] args)
    {
        if (args.Length is < 4 or > 7 || args[0] is not TorchStorage storage || args[2] is not object[] size || args[3] is not object[] stride)
            throw Malformed("a tensor is rebuilt from arguments other than (storage, offset, size, stride, …)");
        return new TorchTensorRecord(storage, ToLong(args[1], "a tensor's offset"),
            Array.ConvertAll(size, s => ToLong(s, "a tensor's size")), Array.ConvertAll(stride, s => ToLong(s, "a tensor's stride")));
    }

    // _rebuild_parameter(data, requires_grad, backward_hooks): the tensor itself.
    private static object RebuildParameter(object[] args) =>
        args.Length == 3 && args[0] is TorchTensorRecord tensor ? tensor : throw Malformed("a parameter is rebuilt from something other than a tensor");

    private static long ToLong(object? value, string what) => value switch
    {
        int i => i,
        long l => l,
        _ => throw Malformed($"{what} is not an integer"),
    };

    private static PickleException Malformed(string what) => new(what);

    private sealed class Constructor(Func<object[], object> build) : IObjectConstructor
    {
        public object construct(object[] args) => build(args);
    }
}
