using System.Globalization;
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
    /// <summary>True when <paramref name="text"/> looks like an AutoFormer experiment file (a <c>SUPERNET</c> or <c>RETRAIN</c> mapping).</summary>
    public static bool Recognises(string text) =>
        text.Contains("RETRAIN:", StringComparison.Ordinal) || text.Contains("SUPERNET:", StringComparison.Ordinal);

    /// <summary>The subnet <paramref name="text"/> describes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not YAML, lacks both sections, or a value is missing, not a number, or of the wrong count.</exception>
    public static AutoFormerConfig Parse(string text, string source)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode m ? m
                : throw new InvalidDataException($"{source} is not an AutoFormer YAML file: its top level is not a mapping.");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{source} is not valid YAML: {e.Message}", e);
        }

        var section = Child(root, "RETRAIN") ?? Child(root, "SUPERNET")
            ?? throw new InvalidDataException($"{source} has neither a RETRAIN nor a SUPERNET section, so it describes no AutoFormer.");
        string name = Child(root, "RETRAIN") is null ? "SUPERNET" : "RETRAIN";
        int embedDim = (int)Number(section, "EMBED_DIM", name, source);
        int depth = (int)Number(section, "DEPTH", name, source);
        if (embedDim < 1 || depth < 1)
            throw new InvalidDataException($"{source}: {name}.EMBED_DIM and {name}.DEPTH must be positive; got {embedDim} and {depth}.");
        var heads = PerLayer(section, "NUM_HEADS", depth, name, source);
        var ratios = PerLayer(section, "MLP_RATIO", depth, name, source);
        return new AutoFormerConfig
        {
            EmbedDim = embedDim,
            NumHeads = heads.Select(h => (int)h).ToArray(),
            MlpRatios = ratios.Select(r => (float)r).ToArray(),
        };
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static double Number(YamlNode section, string key, string sectionName, string source)
    {
        var node = (section as YamlMappingNode is { } map ? Child(map, key) : null)
            ?? throw new InvalidDataException($"{source}: {sectionName}.{key} is missing.");
        return Scalar(node, $"{sectionName}.{key}", source);
    }

    private static double Scalar(YamlNode node, string what, string source) =>
        node is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? x : throw new InvalidDataException($"{source}: {what} must be a number; got '{node}'.");

    private static double[] PerLayer(YamlNode section, string key, int depth, string sectionName, string source)
    {
        var node = (section as YamlMappingNode is { } map ? Child(map, key) : null)
            ?? throw new InvalidDataException($"{source}: {sectionName}.{key} is missing.");
        if (node is not YamlSequenceNode list) return Enumerable.Repeat(Scalar(node, $"{sectionName}.{key}", source), depth).ToArray();
        if (list.Children.Count != depth)
            throw new InvalidDataException($"{source}: {sectionName}.{key} has {list.Children.Count} values but DEPTH is {depth}.");
        return list.Children.Select((n, i) => Scalar(n, $"{sectionName}.{key}[{i}]", source)).ToArray();
    }
}
