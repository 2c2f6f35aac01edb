using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Spaces;

/// <summary>
/// The core every search space shares: its choices in canonical order, when each is active (a layer below the depth, a
/// norm of an op that is not skip), the rules an architecture keeps, and the one validation: another space or preset,
/// an unknown choice, a value not allowed, a missing active choice or a broken rule are each one
/// <see cref="UserInputException"/> naming the choice and the values it allows. Architectures come out canonical:
/// choices in table order, inactive ones dropped, numbers as the table writes them (<c>4.0</c> becomes <c>4</c>).
/// </summary>
public sealed partial class ChoiceTable
{
    private readonly Entry[] _entries;
    private readonly Dictionary<string, Choice> _byName;
    private readonly ArchitectureRule[] _rules;

    /// <summary>The table of space <paramref name="space"/>, preset <paramref name="preset"/>.</summary>
    /// <param name="space">Space name.</param>
    /// <param name="preset">Preset name.</param>
    /// <param name="choices">Every choice in canonical order, each with the condition on the choices before it under which it is active (null: always).</param>
    /// <param name="rules">Rules beyond the values.</param>
    /// <exception cref="ArgumentException">A choice name appears twice.</exception>
    public ChoiceTable(string space, string preset, IEnumerable<(Choice Choice, Func<ChoiceValues, bool>? ActiveWhen)> choices, IEnumerable<ArchitectureRule>? rules = null)
    {
        Space = space;
        Preset = preset;
        _entries = choices.Select(c => new Entry(c.Choice, c.ActiveWhen)).ToArray();
        _byName = new Dictionary<string, Choice>(_entries.Length, StringComparer.Ordinal);
        foreach (var e in _entries)
            if (!_byName.TryAdd(e.Choice.Name, e.Choice)) throw new ArgumentException($"Choice '{e.Choice.Name}' appears twice in space {space}.");
        Choices = _entries.Select(e => e.Choice).ToArray();
        _rules = rules?.ToArray() ?? [];
    }

    /// <summary>Space name.</summary>
    public string Space { get; }

    /// <summary>Preset name.</summary>
    public string Preset { get; }

    /// <summary>Every choice, in canonical order.</summary>
    public IReadOnlyList<Choice> Choices { get; }

    /// <summary>The choice named by <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The space has no such choice.</exception>
    public Choice this[ChoiceKey key] => _byName[key.Name];

    /// <summary>
    /// Checks <paramref name="architecture"/> and returns its canonical form. Values of inactive choices must still be
    /// allowed ones.
    /// </summary>
    /// <exception cref="UserInputException">Another space or preset, an unknown choice, a value the choice does not allow, a missing active choice, or a broken rule; the message names it.</exception>
    public Architecture Validate(Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.Space != Space || architecture.Preset != Preset)
            throw new UserInputException($"The architecture is of space {InputText.Clip(architecture.Space)} preset {InputText.Clip(architecture.Preset)}, not {Space} preset {Preset}.");
        var values = new ChoiceValues();
        foreach (var (name, value) in architecture.Entries)
        {
            if (!_byName.TryGetValue(name, out var choice))
                throw new UserInputException($"The {Space} space (preset {Preset}) has no choice {InputText.Quote(name)}.");
            values.SetText(name, Allowed(choice, value));
        }
        return Canonical(values);
    }

    /// <summary>The canonical architecture of <paramref name="values"/>: every active choice in table order, inactive ones dropped, the rules checked.</summary>
    /// <exception cref="UserInputException">An active choice is missing or has a value it does not allow, or a rule is broken.</exception>
    public Architecture Canonical(ChoiceValues values)
    {
        var accepted = new ChoiceValues();
        var entries = new List<KeyValuePair<string, string>>(_entries.Length);
        foreach (var (choice, activeWhen) in _entries)
        {
            if (activeWhen is not null && !activeWhen(accepted)) continue;
            if (!values.TryText(choice.Name, out var text))
                throw new UserInputException($"The architecture lacks choice '{choice.Name}' of the {Space} space (preset {Preset}).");
            text = Allowed(choice, text);
            accepted.SetText(choice.Name, text);
            entries.Add(new(choice.Name, text));
        }
        foreach (var rule in _rules)
            if (!rule.Holds(accepted)) throw new UserInputException(rule.Violation);
        return new Architecture(Space, Preset, entries);
    }

    // The allowed value equal to value: itself, or the one equal as a number (4.0 is 4).
    private string Allowed(Choice choice, string value)
    {
        if (choice.Allows(value)) return value;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x))
        {
            foreach (var allowed in choice.Values)
                if (double.TryParse(allowed, NumberStyles.Float, CultureInfo.InvariantCulture, out double y) && x == y) return allowed;
        }
        throw new UserInputException($"Choice '{choice.Name}' = {InputText.Quote(value)} is not allowed in the {Space} space (preset {Preset}); it allows {Summary(choice.Values)}.");
    }

    private static string Summary(IReadOnlyList<string> values) =>
        values.Count <= 10 ? string.Join(", ", values) : $"{string.Join(", ", values.Take(8))}, … ({values.Count} values)";

    private readonly record struct Entry(Choice Choice, Func<ChoiceValues, bool>? ActiveWhen);
}
