using System.Globalization;
using System.Text;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Nn;

/// <summary>
/// Why a state dict does not fit a module, said in one sentence of about <see cref="MaxLength"/> characters at most:
/// each kind of problem lists its first few keys, and a long list is summarised by its count ("20,000 unexpected
/// keys, first: 'a', 'b', 'c'"), so a checkpoint of another model does not produce a message of thousands of names.
/// </summary>
internal sealed class StateDictProblems(string source, string moduleName)
{
    /// <summary>The length the message is kept under, when its names allow it.</summary>
    public const int MaxLength = 300;

    private const int ListedAtMost = 3;

    private readonly List<(string Label, string CountedLabel, List<string> Items, bool Quote)> _kinds = [];

    /// <summary>True when any problem was added.</summary>
    public bool Any => _kinds.Count > 0;

    /// <summary>
    /// Adds one kind of problem (nothing when <paramref name="items"/> is empty): <paramref name="label"/> heads a short
    /// list, <paramref name="countedLabel"/> follows the count of a long one; <paramref name="quote"/> quotes each item.
    /// </summary>
    public void Add(string label, string countedLabel, List<string> items, bool quote = false)
    {
        if (items.Count > 0) _kinds.Add((label, countedLabel, items, quote));
    }

    /// <summary>"Cannot load {source} into {module}: …." with as many items listed as fit.</summary>
    public string Message()
    {
        string text = Compose(ListedAtMost);
        // Fewer names until it fits; at worst the counts alone.
        for (int listed = ListedAtMost - 1; listed >= 0 && text.Length > MaxLength; listed--) text = Compose(listed);
        return text;
    }

    private string Compose(int listed)
    {
        var text = new StringBuilder($"Cannot load {source} into {moduleName}: ");
        for (int k = 0; k < _kinds.Count; k++)
        {
            var (label, countedLabel, items, quote) = _kinds[k];
            if (k > 0) text.Append("; ");
            if (items.Count <= listed) text.Append(label).Append(": ");
            else text.Append(items.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(' ').Append(countedLabel).Append(listed > 0 ? ", first: " : "");
            for (int i = 0; i < Math.Min(listed, items.Count); i++)
            {
                if (i > 0) text.Append(quote ? ", " : "; ");
                text.Append(quote ? InputText.Quote(items[i]) : items[i]);
            }
        }
        return text.Append('.').ToString();
    }
}
