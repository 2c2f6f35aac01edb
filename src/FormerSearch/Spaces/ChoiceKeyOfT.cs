namespace FormerSearch.Spaces;

/// <summary>A choice's name and how its canonical text reads as a <typeparamref name="T"/> and is written back.</summary>
/// <typeparam name="T">The value type: a size, a ratio, an op, a norm…</typeparam>
public sealed class ChoiceKey<T> : ChoiceKey
{
    private readonly Func<string, T> _read;
    private readonly Func<T, string> _write;

    /// <summary>A key named <paramref name="name"/> whose text <paramref name="read"/> parses and <paramref name="write"/> writes.</summary>
    public ChoiceKey(string name, Func<string, T> read, Func<T, string> write) : base(name)
    {
        _read = read;
        _write = write;
    }

    /// <summary>The value of canonical text <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is not a value of this choice (the text was not validated).</exception>
    public T Read(string text) => _read(text);

    /// <summary>The canonical text of <paramref name="value"/>.</summary>
    public string Write(T value) => _write(value);

    /// <summary>The choice of this name over <paramref name="values"/> (for a size, in increasing order).</summary>
    public Choice Define(IEnumerable<T> values, ChoiceKind kind, string group) => new(Name, values.Select(_write).ToArray(), kind, group);
}
