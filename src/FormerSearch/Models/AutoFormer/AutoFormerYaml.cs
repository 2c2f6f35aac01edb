using FormerSearch.Engine;
using YamlDotNet.RepresentationModel;

namespace FormerSearch.Models;

/// <summary>
/// Reads the official AutoFormer experiment files (<c>experiments/subnet/AutoFormer-T.yaml</c>,
/// <c>experiments/supernet/supernet-T.yaml</c>): the <c>RETRAIN</c> section is the subnet; a file without one
/// describes its <c>SUPERNET</c>, whose largest subnet (every layer at the supernet's heads and MLP ratio) is built.
/// Each section has <c>EMBED_DIM</c>, <c>DEPTH</c>, and <c>NUM_HEADS</c> and <c>MLP_RATIO</c> as one value or one per layer.
/// </summary>
public static class AutoFormerYaml
{
    private const int MaxDepth = 10_000;

    /// <summary>True when <paramref name="text"/> looks like an AutoFormer experiment file (a <c>SUPERNET</c> or <c>RETRAIN</c> mapping).</summary>
    public static bool Recognises(string text) =>
        text.Contains("RETRAIN:", StringComparison.Ordinal) || text.Contains("SUPERNET:", StringComparison.Ordinal);

    /// <summary>The subnet <paramref name="text"/> describes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="UserInputException">The text is not YAML, lacks both sections, or a value is missing, not a number, or of the wrong count.</exception>
    public static AutoFormerConfig Parse(string text, string source)
    {
        var root = AutoFormerYamlReader.Root(text, source);
        string name = AutoFormerYamlReader.Section(root, "RETRAIN") is not null ? "RETRAIN"
            : AutoFormerYamlReader.Section(root, "SUPERNET") is not null ? "SUPERNET"
            : throw new UserInputException($"{source} has neither a RETRAIN nor a SUPERNET section, so it describes no AutoFormer.");
        var section = AutoFormerYamlReader.Section(root, name)!;
        int embedDim = (int)Single(section, name, "EMBED_DIM", source);
        int depth = (int)Single(section, name, "DEPTH", source);
        // Per-layer lists of DEPTH entries are built next: an absurd depth is refused before they take the memory.
        if (depth > MaxDepth) throw new UserInputException($"{source}: {name}.DEPTH is {depth:N0}; at most {MaxDepth:N0} layers are read (AutoFormer has 12 to 16).");
        var heads = PerLayer(section, "NUM_HEADS", depth, name, source);
        var ratios = PerLayer(section, "MLP_RATIO", depth, name, source);
        return new AutoFormerConfig
        {
            EmbedDim = embedDim,
            NumHeads = heads.Select(h => (int)h).ToArray(),
            MlpRatios = ratios.Select(r => (float)r).ToArray(),
        };
    }

    private static double Single(YamlMappingNode section, string sectionName, string key, string source)
    {
        var (values, isList) = AutoFormerYamlReader.Numbers(section, sectionName, key, source);
        return isList ? throw new UserInputException($"{source}: {sectionName}.{key} must be one number, not a list.") : values[0];
    }

    private static double[] PerLayer(YamlMappingNode section, string key, int depth, string sectionName, string source)
    {
        var (values, isList) = AutoFormerYamlReader.Numbers(section, sectionName, key, source);
        if (!isList) return Enumerable.Repeat(values[0], depth).ToArray();
        return values.Length == depth ? values
            : throw new UserInputException($"{source}: {sectionName}.{key} has {values.Length} values but DEPTH is {depth}.");
    }
}
