using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// The one mapping between the enums that travel as text (samplers, search algorithms) and their names on the command
/// line, in study and supernet files and in messages: the member's name in lower case (<c>SamplerKind.Sandwich</c> is
/// "sandwich", <c>SearchAlgorithmKind.Pareto</c> "pareto"), the strings the files have always stored.
/// </summary>
public static class KindNames
{
    /// <summary>The name of <paramref name="kind"/>.</summary>
    public static string Of<TKind>(TKind kind) where TKind : struct, Enum => kind.ToString().ToLowerInvariant();

    /// <summary>Every kind's name, in declaration order.</summary>
    public static IReadOnlyList<string> All<TKind>() where TKind : struct, Enum => [.. Enum.GetValues<TKind>().Select(Of)];

    /// <summary>The kind named <paramref name="name"/> (any letter case); false for any other text, numbers included.</summary>
    public static bool TryParse<TKind>(string? name, out TKind kind) where TKind : struct, Enum
    {
        foreach (var k in Enum.GetValues<TKind>())
            if (string.Equals(Of(k), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        kind = default;
        return false;
    }

    /// <summary>The kind named <paramref name="name"/>.</summary>
    /// <param name="name">The text to read.</param>
    /// <param name="what">What the text was given as, for the message (e.g. <c>--sampler</c>).</param>
    /// <exception cref="UserInputException">No kind has that name; the message lists the names.</exception>
    public static TKind Parse<TKind>(string name, string what) where TKind : struct, Enum =>
        TryParse(name, out TKind kind) ? kind : throw new UserInputException(Unknown<TKind>(name, what));

    /// <summary>The sentence for an unknown name: "WHAT 'NAME' is unknown: use a, b or c."</summary>
    public static string Unknown<TKind>(string name, string what) where TKind : struct, Enum => Unknown(name, what, All<TKind>());

    /// <summary>The sentence for an unknown name among <paramref name="names"/>: "WHAT 'NAME' is unknown: use a, b or c."</summary>
    public static string Unknown(string name, string what, IReadOnlyList<string> names) =>
        $"{what} '{name}' is unknown: use {string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}.";
}
