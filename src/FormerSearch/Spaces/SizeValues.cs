namespace FormerSearch.Spaces;

/// <summary>The check every space's settings make of a size choice's candidate values.</summary>
internal static class SizeValues
{
    /// <summary>Checks that <paramref name="values"/> are some values, each at least <paramref name="minimum"/>, strictly increasing.</summary>
    /// <exception cref="ArgumentException">They are not; the message names <paramref name="what"/> and lists the values.</exception>
    public static void CheckIncreasing<T>(string what, IReadOnlyList<T> values, T minimum) where T : IComparable<T>
    {
        if (values.Count == 0) throw new ArgumentException($"{what}: there is no value to choose from.");
        for (int i = 0; i < values.Count; i++)
        {
            // CompareTo puts NaN below every number, so a NaN fails the minimum.
            if (values[i].CompareTo(minimum) < 0 || (i > 0 && values[i].CompareTo(values[i - 1]) <= 0))
                throw new ArgumentException($"{what} must be at least {minimum} and increasing; got [{string.Join(", ", values)}].");
        }
    }
}
