using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Spaces;

namespace FormerSearch.Inference;

/// <summary>
/// How a command settles what both its command line and a weights file's card say: the option given wins where the card is
/// silent, the card fills in what is not given, and the two disagreeing is an input error naming both values, so that a
/// model is never run against settings it was not trained with by accident.
/// </summary>
public sealed partial record ModelCard
{
    /// <summary>The value of a setting: <paramref name="given"/> on the command line, else the card's <paramref name="carded"/> (null when neither is known).</summary>
    /// <exception cref="UserInputException">Both are known and differ: one sentence naming <paramref name="option"/>, both values and <paramref name="source"/>.</exception>
    public static T? Settle<T>(string option, T? given, T? carded, string source) where T : struct
    {
        if (given is { } g && carded is { } c && !EqualityComparer<T>.Default.Equals(g, c))
            throw Contradiction(option, Text(g), Text(c), source);
        return given ?? carded;
    }

    /// <summary>
    /// The data set spec to use: the one given, else the card's. Two specs agree when they are of one kind and name files of the
    /// same names, so a data set moved to another directory (or named by another relative path) is still the one trained on.
    /// </summary>
    /// <exception cref="UserInputException">The given spec is malformed, or names another data set than the card's.</exception>
    public string? SettleDataset(string? given, string source)
    {
        if (given is null || Dataset is not { } carded) return given ?? Dataset;
        var a = Data.DatasetSpec.Parse(given);
        Data.DatasetSpec b;
        try { b = Data.DatasetSpec.Parse(carded); }
        catch (UserInputException) { throw new UserInputException($"The model card of {source} has a malformed 'dataset': '{Shorten(carded)}'."); }
        if (FileNames(a) != FileNames(b)) throw Contradiction("--dataset", a.ToString(), b.ToString(), source);
        return given;
    }

    /// <summary>
    /// Checks that the model named on the command line — a registered <paramref name="name"/>, or an <paramref name="architectureJson"/>
    /// of a search space (null for both when the command line names none, or names it in a form a card does not hold) — is the card's.
    /// </summary>
    /// <exception cref="UserInputException">The card names another model, or another architecture (the message names the first choice that differs).</exception>
    public void CheckModel(string? name, string? architectureJson, string source)
    {
        string? carded = Model ?? (Architecture is { } json ? SubnetName(CardArchitecture(json, source).Architecture) : null);
        if (carded is null) return;
        if (name is not null)
        {
            if (!string.Equals(name, Model, StringComparison.OrdinalIgnoreCase)) throw Contradiction("--model", name, carded, source);
            return;
        }
        if (architectureJson is null) return;
        var given = Spaces.Architecture.FromJson(architectureJson, "--arch");
        if (Architecture is null) throw Contradiction("--arch", SubnetName(given), carded, source);
        var mine = CardArchitecture(Architecture, source).Architecture;
        var theirs = SearchSpaces.Create(given.Space, given.Preset).Validate(given);
        if (theirs.Equals(mine)) return;
        if (theirs.Space != mine.Space || theirs.Preset != mine.Preset) throw Contradiction("--arch", SubnetName(theirs), carded, source);
        var differing = theirs.Entries.FirstOrDefault(e => !mine.Contains(e.Key) || mine[e.Key] != e.Value);
        string choice = differing.Key ?? mine.Entries.First(e => !theirs.Contains(e.Key)).Key;
        throw Contradiction("--arch", $"{SubnetName(theirs)} with {choice} {Value(theirs, choice)}", $"{carded} with {choice} {Value(mine, choice)}", source);
    }

    private static string SubnetName(Spaces.Architecture architecture) => $"a {architecture.Space}-{architecture.Preset} subnet";

    private static string Value(Spaces.Architecture architecture, string choice) => architecture.Contains(choice) ? architecture[choice] : "(absent)";

    // The data set's kind and its files' names, without their directories.
    private static string FileNames(Data.DatasetSpec spec) =>
        string.Join(',', spec.ToString().Split(':', 2) is [var kind, var paths] && kind is "npy" or "folder"
            ? [kind, .. paths.Split(',').Select(p => Path.GetFileName(Path.TrimEndingDirectorySeparator(p.Trim())))]
            : [spec.ToString()]);

    private static string Text<T>(T value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? "";

    private static UserInputException Contradiction(string option, string given, string carded, string source) =>
        new($"{option} {Shorten(given)} contradicts the model card of {source}, which says {Shorten(carded)}; leave {option} out to use the card's.");
}
