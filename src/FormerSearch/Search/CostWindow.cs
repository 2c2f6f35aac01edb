using System.Globalization;

namespace FormerSearch.Search;

/// <summary>A closed window [<see cref="Min"/>, <see cref="Max"/>] on one cost; a null end is unbounded.</summary>
/// <param name="Min">Smallest allowed value, or null.</param>
/// <param name="Max">Largest allowed value, or null.</param>
public readonly record struct CostWindow(double? Min, double? Max)
{
    /// <summary>No bound at either end.</summary>
    public static CostWindow Unbounded => default;

    /// <summary>True when either end is set.</summary>
    public bool IsBounded => Min.HasValue || Max.HasValue;

    /// <summary>True when <paramref name="value"/> lies inside the window.</summary>
    public bool Contains(double value) => (Min is not { } lo || value >= lo) && (Max is not { } hi || value <= hi);

    /// <summary>"[lo, hi]" with "-inf"/"inf" for open ends.</summary>
    public override string ToString() =>
        "[" + (Min?.ToString("R", CultureInfo.InvariantCulture) ?? "-inf") + ", " + (Max?.ToString("R", CultureInfo.InvariantCulture) ?? "inf") + "]";
}
