using FormerSearch.Engine;

namespace FormerSearch.Spaces;

public sealed partial class ChoiceTable
{
    /// <summary>A value of <paramref name="choice"/>, uniformly.</summary>
    public static string Pick(Choice choice, Generator rng) => choice.Values[rng.NextInt(choice.Values.Count)];

    /// <summary>Each active choice uniformly over its values, in table order (SPOS: a random index per choice).</summary>
    public Architecture SampleEach(Generator rng)
    {
        var values = new ChoiceValues();
        foreach (var (choice, activeWhen) in _entries)
            if (activeWhen is null || activeWhen(values)) values.SetText(choice.Name, Pick(choice, rng));
        return Canonical(values);
    }

    /// <summary>
    /// <paramref name="parent"/> (canonical) with each choice that is active in the child, in table order, redrawn with
    /// probability <paramref name="probability"/> — and drawn when the parent lacks it.
    /// </summary>
    public Architecture MutateEach(Architecture parent, double probability, Generator rng)
    {
        var from = new ChoiceValues(parent);
        var values = new ChoiceValues();
        foreach (var (choice, activeWhen) in _entries)
        {
            if (activeWhen is not null && !activeWhen(values)) continue;
            bool redraw = rng.NextDouble() < probability;
            values.SetText(choice.Name, !redraw && from.TryText(choice.Name, out var kept) ? kept : Pick(choice, rng));
        }
        return Canonical(values);
    }

    /// <summary>Each choice that is active in the child, in table order, from a parent drawn at random among those that have it (canonical parents).</summary>
    public Architecture CrossEach(Architecture a, Architecture b, Generator rng)
    {
        var (x, y) = (new ChoiceValues(a), new ChoiceValues(b));
        var values = new ChoiceValues();
        foreach (var (choice, activeWhen) in _entries)
        {
            if (activeWhen is not null && !activeWhen(values)) continue;
            bool fromA = rng.NextInt(2) == 0;
            bool aHas = x.TryText(choice.Name, out var va), bHas = y.TryText(choice.Name, out var vb);
            values.SetText(choice.Name, aHas && (fromA || !bHas) ? va : vb);
        }
        return Canonical(values);
    }

    /// <summary>
    /// The first non-null result of <paramref name="draw"/>, which returns null when its draw breaks
    /// <paramref name="constraint"/> (a space's rule). Draws from valid architectures meet their space's rules with
    /// positive probability, so running out of attempts is a bug, not an input error: it throws rather than fall back.
    /// </summary>
    /// <exception cref="InvalidOperationException">No draw in <paramref name="attempts"/> met the constraint; the message names it.</exception>
    public static T Retry<T>(Func<T?> draw, string constraint, int attempts = 10_000) where T : class
    {
        for (int i = 0; i < attempts; i++)
            if (draw() is { } result) return result;
        throw new InvalidOperationException($"No draw in {attempts} attempts met {constraint}.");
    }
}
