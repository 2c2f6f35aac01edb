namespace FormerSearch.Spaces;

/// <summary>
/// Choice values being put together into an architecture (a sample, a mutation, a crossover), read and written through
/// typed keys; <see cref="ChoiceTable.Canonical"/> turns them into an <see cref="Architecture"/>.
/// </summary>
public sealed class ChoiceValues
{
    private readonly Dictionary<string, string> _text = new(StringComparer.Ordinal);

    /// <summary>No values.</summary>
    public ChoiceValues() { }

    /// <summary>The values of <paramref name="architecture"/>.</summary>
    public ChoiceValues(Architecture architecture)
    {
        foreach (var (name, value) in architecture.Entries) _text[name] = value;
    }

    /// <summary>A copy of <paramref name="other"/>.</summary>
    public ChoiceValues(ChoiceValues other) => _text = new Dictionary<string, string>(other._text, StringComparer.Ordinal);

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">It has no value (an inactive choice: a bug in the caller).</exception>
    public T Get<T>(ChoiceKey<T> key) => key.Read(Text(key));

    /// <summary>The value of <paramref name="key"/>, when it has one.</summary>
    public bool TryGet<T>(ChoiceKey<T> key, out T value)
    {
        bool has = _text.TryGetValue(key.Name, out var text);
        value = has ? key.Read(text!) : default!;
        return has;
    }

    /// <summary>True when <paramref name="key"/> has a value.</summary>
    public bool Contains(ChoiceKey key) => _text.ContainsKey(key.Name);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public void Set<T>(ChoiceKey<T> key, T value) => _text[key.Name] = key.Write(value);

    /// <summary>Sets <paramref name="key"/> to the canonical text <paramref name="text"/> (a value drawn from its <see cref="Choice.Values"/>).</summary>
    public void SetText(ChoiceKey key, string text) => _text[key.Name] = text;

    /// <summary>Sets choice <paramref name="name"/> to the canonical text <paramref name="text"/>.</summary>
    internal void SetText(string name, string text) => _text[name] = text;

    /// <summary>Drops the value of <paramref name="key"/>.</summary>
    public void Remove(ChoiceKey key) => _text.Remove(key.Name);

    /// <summary><paramref name="key"/>'s value taken from <paramref name="source"/>, or none when <paramref name="source"/> has none.</summary>
    public void CopyFrom(ChoiceValues source, ChoiceKey key)
    {
        if (source._text.TryGetValue(key.Name, out var text)) _text[key.Name] = text;
        else _text.Remove(key.Name);
    }

    /// <summary>The canonical text of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">It has no value.</exception>
    public string Text(ChoiceKey key) => TryText(key.Name, out var text) ? text
        : throw new KeyNotFoundException($"No value for choice '{key.Name}' (it is inactive or was never set).");

    /// <summary>The text of choice <paramref name="name"/>, when it has one.</summary>
    internal bool TryText(string name, out string text) => _text.TryGetValue(name, out text!);
}
