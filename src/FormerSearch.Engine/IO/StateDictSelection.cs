using System.Collections;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Finds the state dict in an unpickled checkpoint, as timm's and DeiT's loaders do: the object itself when it maps names
/// to tensors, else the dictionary under <c>model</c>, <c>state_dict</c>, <c>model_ema</c> or <c>state_dict_ema</c> (the
/// first present, so plain weights before their moving average), or under the key the user names. Names are put back in
/// the order the pickle wrote them, and the <c>module.</c> prefix <c>nn.DataParallel</c> adds to every name is removed.
/// What was chosen or changed is returned as notes for the user.
/// </summary>
internal static class StateDictSelection
{
    /// <summary>The keys training scripts nest a state dict under, in the order they are tried.</summary>
    public static readonly string[] NestedKeys = ["model", "state_dict", "model_ema", "state_dict_ema"];

    private const string DataParallelPrefix = "module.";

    /// <summary>The chosen state dict's tensors in file order, and notes saying what was chosen.</summary>
    /// <exception cref="UserInputException">No state dict can be found, <paramref name="key"/> names none, or a name is not a string.</exception>
    public static (List<KeyValuePair<string, TorchTensorRecord>> Entries, List<string> Notes) Select(object? root, string? key, string source, IReadOnlyDictionary<string, int> order)
    {
        var notes = new List<string>();
        if (root is not Hashtable top)
            throw new UserInputException($"'{source}' holds {Describe(root)}, not a state dict (a dictionary of tensors).");
        Hashtable chosen;
        if (key is not null)
        {
            if (!top.ContainsKey(key))
                throw new UserInputException(IsStateDict(top)
                    ? $"'{source}' has no entry '{key}': it is a state dict itself ({CountTensors(top)} tensors), so leave out --weights-key."
                    : $"'{source}' has no entry '{key}'; its entries are {Summary(StringKeys(top, order))}.");
            chosen = top[key] is Hashtable h && IsStateDict(h) ? h
                : throw new UserInputException($"'{source}': its entry '{key}' is {Describe(top[key])}, not a state dict of tensors.");
            notes.Add($"'{source}': taking the state dict under '{key}'.");
        }
        else if (IsStateDict(top))
        {
            chosen = top;
        }
        else
        {
            var nested = NestedKeys.Where(k => top[k] is Hashtable h && IsStateDict(h)).ToList();
            if (nested.Count == 0)
            {
                var others = StringKeys(top, order).Where(k => top[k] is Hashtable h && IsStateDict(h)).ToList();
                throw new UserInputException(others.Count > 0
                    ? $"'{source}' holds state dicts under {Summary(others)}, none of {string.Join(", ", NestedKeys)}: pick one with --weights-key."
                    : $"'{source}' holds no state dict of tensors; its entries are {Summary(StringKeys(top, order))}.");
            }
            chosen = (Hashtable)top[nested[0]]!;
            notes.Add(nested.Count > 1
                ? $"'{source}': taking the state dict under '{nested[0]}' (also there: {Summary(nested.Skip(1))}; --weights-key picks another)."
                : $"'{source}': taking the state dict under '{nested[0]}'.");
        }

        var entries = new List<KeyValuePair<string, TorchTensorRecord>>();
        var skipped = new List<string>();
        foreach (DictionaryEntry e in chosen)
        {
            if (e.Key is not string name) throw new UserInputException($"'{source}' has a state dict whose names are not all strings (one is {Describe(e.Key)}).");
            if (e.Value is TorchTensorRecord t) entries.Add(new(name, t));
            else skipped.Add(name);
        }
        entries.Sort((a, b) => Compare(a.Key, b.Key, order));
        if (skipped.Count > 0)
        {
            skipped.Sort((a, b) => Compare(a, b, order));
            notes.Add($"'{source}': skipping {skipped.Count} entries that are not tensors ({Summary(skipped)}).");
        }
        if (entries.All(e => e.Key.StartsWith(DataParallelPrefix, StringComparison.Ordinal)))
        {
            entries = entries.ConvertAll(e => new KeyValuePair<string, TorchTensorRecord>(e.Key[DataParallelPrefix.Length..], e.Value));
            notes.Add($"'{source}': removing the DataParallel prefix '{DataParallelPrefix}' from every name.");
        }
        return (entries, notes);
    }

    // A dictionary is a state dict when it holds tensors and no dictionaries (a checkpoint's top level holds dictionaries).
    private static bool IsStateDict(Hashtable h)
    {
        bool any = false;
        foreach (DictionaryEntry e in h)
        {
            if (e.Value is IDictionary) return false;
            any |= e.Value is TorchTensorRecord;
        }
        return any;
    }

    private static int CountTensors(Hashtable h) => h.Values.OfType<TorchTensorRecord>().Count();

    private static List<string> StringKeys(Hashtable h, IReadOnlyDictionary<string, int> order)
    {
        var keys = h.Keys.OfType<string>().ToList();
        keys.Sort((a, b) => Compare(a, b, order));
        return keys;
    }

    // Where the pickle first wrote each name; names it never wrote as text go last, in ordinal order.
    private static int Compare(string a, string b, IReadOnlyDictionary<string, int> order)
    {
        int c = order.GetValueOrDefault(a, int.MaxValue).CompareTo(order.GetValueOrDefault(b, int.MaxValue));
        return c != 0 ? c : string.CompareOrdinal(a, b);
    }

    private static string Summary(IEnumerable<string> names)
    {
        var list = names.ToList();
        if (list.Count == 0) return "none";
        var shown = string.Join(", ", list.Take(6).Select(n => $"'{n}'"));
        return list.Count > 6 ? $"{shown} and {list.Count - 6} more" : shown;
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        TorchTensorRecord => "a single tensor",
        IDictionary d => $"a dictionary of {d.Count} entries",
        IList l => $"a list of {l.Count} items",
        string => "a string",
        _ => $"a {value.GetType().Name}",
    };
}
