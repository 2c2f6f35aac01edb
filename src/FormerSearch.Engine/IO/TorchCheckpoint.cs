using Razorvine.Pickle;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Reads the state dict of a PyTorch checkpoint (<c>.pth</c>, <c>.pth.tar</c>, <c>.pt</c>: the zip format of <c>torch.save</c>,
/// PyTorch 1.6 and later) into float32 tensors under their official names, in PyTorch's layouts. The pickle is checked
/// opcode by opcode before it is unpickled (with Razorvine.Pickle, which runs no Python): only the globals a state dict
/// uses are accepted, so a checkpoint that would run code under <c>torch.load</c> is refused and nothing of it runs.
/// Nested checkpoints (<c>{'model': …}</c>, <c>{'state_dict': …}</c>, EMA weights) and DataParallel's <c>module.</c>
/// prefix are handled as <see cref="StateDictSelection"/> says; float16, bfloat16, float64 and integer storages are
/// converted to float32; tensors that share a storage, with offsets or any strides, are copied out element by element.
/// </summary>
public static class TorchCheckpoint
{
    /// <summary>The keys a state dict is looked for under in a nested checkpoint, in the order they are tried.</summary>
    public static IReadOnlyList<string> NestedKeys => StateDictSelection.NestedKeys;

    /// <summary>
    /// The state dict's tensors (float32, PyTorch's shapes) in the order the file wrote them. <paramref name="key"/> names
    /// the entry to take from a nested checkpoint (null: the usual one); <paramref name="notice"/> is told which was taken
    /// and what was changed (null: standard error).
    /// </summary>
    /// <exception cref="UserInputException">
    /// The file cannot be read, is not a zip written by <c>torch.save</c> (damaged, truncated, a zip bomb), names a global a state
    /// dict does not use, holds no state dict (or none under <paramref name="key"/>), or describes a tensor outside its storage.
    /// </exception>
    public static Dictionary<string, Tensor> Load(string path, string? key = null, Action<string>? notice = null)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var archive = TorchArchive.Open(path);
        var entries = Read(archive, path, key, notice);
        // A storage's bytes are kept only while tensors still to be copied view it: memory stays near the float32 result.
        var viewsLeft = new Dictionary<TorchStorage, int>();
        foreach (var (_, record, _) in entries) viewsLeft[record.Storage] = viewsLeft.GetValueOrDefault(record.Storage) + 1;
        var bytes = new Dictionary<TorchStorage, byte[]>();
        foreach (var (name, record, shape) in entries)
        {
            if (!bytes.TryGetValue(record.Storage, out var storage)) bytes[record.Storage] = storage = archive.ReadStorage(record.Storage);
            result[name] = record.ToTensor(shape, storage);
            if (--viewsLeft[record.Storage] == 0) bytes.Remove(record.Storage);
        }
        return result;
    }

    /// <summary>The shape of every tensor <see cref="Load"/> would return, in the same order, without reading the tensors' data.</summary>
    /// <exception cref="UserInputException">As <see cref="Load"/>, except for damage inside the storages' records.</exception>
    public static Dictionary<string, int[]> ReadShapes(string path, string? key = null)
    {
        using var archive = TorchArchive.Open(path);
        var result = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (name, _, shape) in Read(archive, path, key, _ => { })) result[name] = shape;
        return result;
    }

    private static List<(string Name, TorchTensorRecord Record, int[] Shape)> Read(TorchArchive archive, string path, string? key, Action<string>? notice)
    {
        if (archive.IsBigEndian) throw new UserInputException($"'{path}' holds big-endian storages, which FormerSearch does not read; re-save it with PyTorch on a little-endian machine.");
        var pickle = archive.ReadPickle();
        var scan = TorchPickleScanner.Scan(pickle, path);
        object? root;
        using (var unpickler = new TorchUnpickler())
        {
            try { root = unpickler.loads(pickle); }
            catch (Exception e) when (e is PickleException or InvalidCastException or InvalidOperationException or IndexOutOfRangeException
                or ArgumentException or FormatException or KeyNotFoundException or OverflowException or NullReferenceException)
            {
                throw new UserInputException($"'{path}' is not a valid PyTorch checkpoint: its pickle is malformed ({e.Message.TrimEnd('.')}).", e);
            }
        }
        var (entries, notes) = StateDictSelection.Select(root, key, path, scan.FirstOffsets);
        foreach (var note in notes) (notice ?? Console.Error.WriteLine)(note);
        return entries.ConvertAll(e => (e.Key, e.Value,
            e.Value.CheckedShape(what => new UserInputException($"'{path}' is not a valid PyTorch checkpoint: its tensor '{e.Key}' {what}."))));
    }
}
