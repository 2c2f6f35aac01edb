using System.CommandLine;
using FormerSearch.Search;

namespace FormerSearch.Cli.Commands;

/// <summary>Options whose value is a kind of an enum written by its name (<see cref="KindNames"/>): parsed once, here, at the boundary.</summary>
public static class KindOption
{
    /// <summary>
    /// <paramref name="name"/> taking one of <typeparamref name="TKind"/>'s names; null when not given (the caller's
    /// default, <paramref name="shownDefault"/>, applies and is named in the help). An unknown name is a parse error (exit 2)
    /// listing the names.
    /// </summary>
    public static Option<TKind?> Create<TKind>(string name, string description, TKind shownDefault) where TKind : struct, Enum => new(name)
    {
        Description = $"{description}: {string.Join(" | ", KindNames.All<TKind>())} (default: {KindNames.Of(shownDefault)}).",
        HelpName = string.Join('|', KindNames.All<TKind>()),
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (KindNames.TryParse(text, out TKind kind)) return kind;
            result.AddError(KindNames.Unknown<TKind>(text, name));
            return null;
        },
    };
}
