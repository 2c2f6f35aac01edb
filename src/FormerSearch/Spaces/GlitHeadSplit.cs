using System.Globalization;

namespace FormerSearch.Spaces;

/// <summary>A GLiT block's split of its heads into <paramref name="Global"/> self-attention and <paramref name="Local"/> convolution heads; written <c>"g-l"</c>.</summary>
/// <param name="Global">Global (self-attention) heads.</param>
/// <param name="Local">Local (convolution) heads.</param>
public readonly record struct GlitHeadSplit(int Global, int Local)
{
    /// <summary>The split written <paramref name="text"/> (<c>"2-1"</c>).</summary>
    /// <exception cref="FormatException">Not two integers joined by a dash.</exception>
    public static GlitHeadSplit Parse(string text)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) throw new FormatException($"'{text}' is not a head split g-l.");
        return new(int.Parse(text.AsSpan(0, dash), NumberStyles.Integer, CultureInfo.InvariantCulture),
            int.Parse(text.AsSpan(dash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture));
    }

    /// <summary><c>"g-l"</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Global}-{Local}");
}
