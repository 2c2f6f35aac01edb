using System.Text;

namespace FormerSearch.Data.Folders;

/// <summary>
/// Strings ordered as Python's <c>sorted</c> orders <c>str</c>: by Unicode code point, so that class names and file names
/// come out in torchvision's order. Ordinal UTF-16 comparison agrees except where a character above U+FFFF (a surrogate
/// pair) meets one in U+E000–U+FFFF; this compares code points everywhere.
/// </summary>
public sealed class PythonStringOrder : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static PythonStringOrder Instance { get; } = new();

    private PythonStringOrder()
    {
    }

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            // An unpaired surrogate counts as its own code unit, as Python's surrogateescape strings hold them.
            int a = Rune.TryGetRuneAt(x, i, out var ra) ? ra.Value : x[i];
            int b = Rune.TryGetRuneAt(y, j, out var rb) ? rb.Value : y[j];
            if (a != b) return a < b ? -1 : 1;
            i += a > 0xFFFF ? 2 : 1;
            j += b > 0xFFFF ? 2 : 1;
        }
        return (x.Length - i).CompareTo(y.Length - j); // the one that ran out first is the smaller
    }
}
