using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Pipeline;

/// <summary>
/// The best architecture a finished <c>former search</c> found, read from its folder: the architecture and data split from
/// the model card of <c>best/inherited.safetensors</c> (the subnet's weights copied out of the supernet, batch norm
/// recalibrated), its key from <c>summary.json</c>.
/// </summary>
/// <param name="Folder">The search's output folder.</param>
/// <param name="Label">How tables name it: space, preset and folder (<c>burger-mini searched (search)</c>).</param>
/// <param name="Entry">Builder and profile of the standalone model.</param>
/// <param name="Key">The architecture's canonical string.</param>
/// <param name="Shape">Its size choices in one line (<c>depth 2-1-2-2, width 32-64-96-192</c>), or its key when it has none by those names.</param>
/// <param name="InheritedWeights">Path of the inherited weights.</param>
/// <param name="Card">The inherited weights' model card: data set, input, classes, held-out split.</param>
public sealed record SearchedModel(string Folder, string Label, ModelEntry Entry, string Key, string Shape, string InheritedWeights, ModelCard Card)
{
    /// <summary>The path of the study the search kept (<c>study.sqlite</c>).</summary>
    public string StudyPath => Path.Combine(Folder, "study.sqlite");

    /// <summary>Reads the search in <paramref name="folder"/>.</summary>
    /// <exception cref="UserInputException">The folder holds no finished search (no <c>summary.json</c> or <c>best/inherited.safetensors</c>), or they are damaged.</exception>
    public static SearchedModel Load(string folder)
    {
        string summary = Path.Combine(folder, "summary.json"), weights = Path.Combine(folder, "best", "inherited.safetensors");
        if (!File.Exists(summary) || !File.Exists(weights))
            throw new UserInputException($"--searched {folder} holds no finished search: {(File.Exists(summary) ? weights : summary)} is missing (run `former search --output {folder}` to the end).");
        string key;
        try
        {
            key = JsonNode.Parse(File.ReadAllText(summary))?["best"]?["key"]?.GetValue<string>()
                ?? throw new UserInputException($"{summary} names no best architecture ('best.key').");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new UserInputException($"{summary} is damaged: {e.Message}", e);
        }
        var card = ModelCard.Read(weights);
        var entry = card.Entry($"'{weights}'") ?? throw new UserInputException($"The model card of '{weights}' names no architecture; it was not written by `former search`.");
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return new SearchedModel(folder, $"{entry.Name.Split(' ')[0]} searched ({name})", entry, key, ShapeOf(Architecture.FromJson(card.Architecture!, weights)), weights, card);
    }

    // The depth and width choices (BurgerFormer's per stage, AutoFormer's depth and embed_dim) grouped by name, in the space's order.
    private static string ShapeOf(Architecture architecture)
    {
        var sizes = architecture.Entries
            .Select(e => (Name: e.Key[(e.Key.LastIndexOf('.') + 1)..], e.Value))
            .Where(e => e.Name is "depth" or "width" or "embed_dim")
            .GroupBy(e => e.Name, e => e.Value)
            .Select(g => $"{g.Key} {string.Join('-', g)}").ToList();
        return sizes.Count > 0 ? string.Join(", ", sizes) : architecture.Key;
    }
}
