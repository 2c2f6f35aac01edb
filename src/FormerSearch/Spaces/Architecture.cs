using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Spaces;

/// <summary>
/// An immutable architecture of a search space: its active choices, name → value, in the space's order. Its
/// <see cref="Key"/> is its identity (de-duplication, the study store); <see cref="ToJson"/> is the file form every
/// command taking <c>--arch</c> reads: <c>{"space": "autoformer", "preset": "mini", "choices": {"depth": "12", …}}</c>.
/// </summary>
public sealed class Architecture : IEquatable<Architecture>
{
    private readonly KeyValuePair<string, string>[] _entries;
    private readonly Dictionary<string, string> _byName;

    /// <summary>An architecture of space <paramref name="space"/> (preset <paramref name="preset"/>) with <paramref name="entries"/> in the space's order.</summary>
    /// <exception cref="ArgumentException">A choice name appears twice.</exception>
    public Architecture(string space, string preset, IEnumerable<KeyValuePair<string, string>> entries)
    {
        Space = space;
        Preset = preset;
        _entries = entries.ToArray();
        _byName = new Dictionary<string, string>(_entries.Length, StringComparer.Ordinal);
        foreach (var (k, v) in _entries)
            if (!_byName.TryAdd(k, v)) throw new ArgumentException($"Choice '{k}' appears twice in an architecture of space {space}.");
        Key = $"{space}/{preset}:" + string.Join(';', _entries.Select(e => e.Key + "=" + e.Value));
    }

    /// <summary>Search space name (<c>autoformer</c>, <c>glit</c>, <c>burger</c>).</summary>
    public string Space { get; }

    /// <summary>Preset of the space (<c>mini</c>, <c>imagenet</c>, <c>tiny</c>…).</summary>
    public string Preset { get; }

    /// <summary>Canonical text: <c>space/preset:name=value;…</c> in the space's order.</summary>
    public string Key { get; }

    /// <summary>The choices, in the space's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    /// <summary>The value of choice <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The architecture has no such (active) choice.</exception>
    public string this[string name] => _byName.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"The architecture has no choice '{name}'.");

    /// <summary>True when choice <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The value of choice <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The architecture has no such (active) choice.</exception>
    public T Get<T>(ChoiceKey<T> key) => key.Read(this[key.Name]);

    /// <summary>True when choice <paramref name="key"/> is present.</summary>
    public bool Contains(ChoiceKey key) => Contains(key.Name);

    /// <summary>The value of <paramref name="name"/> as an integer.</summary>
    public int Int(string name) => int.Parse(this[name], NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>The value of <paramref name="name"/> as a float.</summary>
    public float Float(string name) => float.Parse(this[name], NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/> (appended when absent; the space re-orders on validation).</summary>
    public Architecture With(string name, string value)
    {
        var entries = _entries.ToList();
        int i = entries.FindIndex(e => e.Key == name);
        if (i >= 0) entries[i] = new(name, value);
        else entries.Add(new(name, value));
        return new Architecture(Space, Preset, entries);
    }

    /// <summary>The file form (indented JSON).</summary>
    public string ToJson()
    {
        var choices = new JsonObject();
        foreach (var (k, v) in _entries) choices[k] = v;
        var root = new JsonObject { ["space"] = Space, ["preset"] = Preset, ["choices"] = choices };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>True when <paramref name="text"/> looks like an architecture file (a JSON object with <c>space</c> and <c>choices</c>).</summary>
    public static bool Recognises(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject o && o.ContainsKey("space") && o.ContainsKey("choices");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads the file form; <paramref name="source"/> names the file in errors. The space still has to validate the result.</summary>
    /// <exception cref="UserInputException">Not JSON, or <c>space</c>, <c>preset</c> or <c>choices</c> missing or not strings, or a key twice.</exception>
    public static Architecture FromJson(string text, string source)
    {
        JsonObject root;
        try
        {
            // A key twice is refused while parsing (JsonObject would otherwise throw an ArgumentException on first access).
            var options = new JsonDocumentOptions { AllowDuplicateProperties = false };
            root = JsonNode.Parse(text, documentOptions: options) as JsonObject ?? throw new UserInputException($"{source} is not an architecture file: it is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{source} is not valid JSON: {InputText.Clip(e.Message, 100)}", e);
        }
        string space = Text(root["space"], "space", source);
        string preset = root["preset"] is null ? "default" : Text(root["preset"], "preset", source);
        if (root["choices"] is not JsonObject choices) throw new UserInputException($"{source}: 'choices' must be an object of choice name → value.");
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in choices)
        {
            string value = v switch
            {
                JsonValue jv when jv.TryGetValue(out string? s) => s,
                JsonValue jv when jv.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
                JsonValue jv when jv.TryGetValue(out bool b) => b ? "true" : "false",
                _ => throw new UserInputException($"{source}: choice {InputText.Quote(k)} must be a string or a number."),
            };
            entries.Add(new(k, value));
        }
        return new Architecture(space, preset, entries);
    }

    private static string Text(JsonNode? node, string name, string source) =>
        node is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s
        : throw new UserInputException($"{source}: '{name}' must be a non-empty string.");

    /// <inheritdoc/>
    public bool Equals(Architecture? other) => other is not null && other.Key == Key;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Architecture);

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => Key;
}
