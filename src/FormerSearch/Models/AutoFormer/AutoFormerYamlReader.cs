using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using YamlDotNet.RepresentationModel;

namespace FormerSearch.Models;

/// <summary>
/// What reading the official AutoFormer YAML files (experiment subnets, supernets and their search spaces) shares: the
/// top-level mapping, its sections, and a key's positive numbers — whole ones for every key but <c>MLP_RATIO</c>.
/// </summary>
internal static class AutoFormerYamlReader
{
    /// <summary>The top-level mapping of <paramref name="text"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="UserInputException">The text is not YAML or its top level is not a mapping.</exception>
    public static YamlMappingNode Root(string text, string source)
    {
        // The YAML parser recurses into flow collections: a file of 100,000 '[' must be refused before it is parsed.
        if (FlowDepth(text) > MaxFlowDepth) throw new UserInputException($"{source} is not an AutoFormer YAML file: its lists and mappings are nested more than {MaxFlowDepth} deep.");
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode m ? m
                : throw new UserInputException($"{source} is not an AutoFormer YAML file: its top level is not a mapping.");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new UserInputException($"{source} is not valid YAML: {InputText.Clip(e.Message, 120)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner fails on some malformed text with these instead of a YamlException.
            throw new UserInputException($"{source} is not valid YAML (its scanner stopped: {InputText.Clip(e.Message, 80)})", e);
        }
    }

    private const int MaxFlowDepth = 64;

    /// <summary>The longest run of unclosed <c>[</c> and <c>{</c> in <paramref name="text"/> (brackets inside quotes count too: an over-estimate).</summary>
    private static int FlowDepth(string text)
    {
        int depth = 0, max = 0;
        foreach (char c in text)
        {
            if (c is '[' or '{') max = Math.Max(max, ++depth);
            else if (c is ']' or '}' && depth > 0) depth--;
        }
        return max;
    }

    /// <summary>The mapping under <paramref name="key"/>, or null when there is none.</summary>
    public static YamlMappingNode? Section(YamlMappingNode root, string key) =>
        root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node as YamlMappingNode : null;

    /// <summary>The numbers under <paramref name="key"/> (one value or a list) and whether they were written as a list.</summary>
    /// <exception cref="UserInputException">The key is missing or empty, or a value is not a positive number (a whole one where a size is meant).</exception>
    public static (double[] Values, bool IsList) Numbers(YamlMappingNode section, string sectionName, string key, string source)
    {
        if (!section.Children.TryGetValue(new YamlScalarNode(key), out var node))
            throw new UserInputException($"{source}: {sectionName}.{key} is missing.");
        var items = node is YamlSequenceNode list ? list.Children.ToArray() : [node];
        if (items.Length == 0) throw new UserInputException($"{source}: {sectionName}.{key} is empty.");
        var values = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            values[i] = items[i] is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) && x > 0
                ? x : throw new UserInputException($"{source}: {sectionName}.{key} must be positive numbers; got {InputText.Quote(items[i].ToString())}.");
        }
        // Integer sizes with a fraction would be truncated silently, and beyond int.MaxValue capped: both are refused.
        if (key != "MLP_RATIO")
        {
            foreach (double v in values)
            {
                if (v != Math.Floor(v)) throw new UserInputException($"{source}: {sectionName}.{key} must be whole numbers; got {v.ToString(CultureInfo.InvariantCulture)}.");
                if (v > int.MaxValue) throw new UserInputException($"{source}: {sectionName}.{key} is {v.ToString(CultureInfo.InvariantCulture)}, more than a size can be ({int.MaxValue:N0}).");
            }
        }
        return (values, node is YamlSequenceNode);
    }
}
