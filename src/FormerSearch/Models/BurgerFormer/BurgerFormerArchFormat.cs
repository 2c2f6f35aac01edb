using System.Globalization;
using System.Text;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Models;

/// <summary>
/// The official BurgerFormer architecture dictionary (xingxing-123/BurgerFormer <c>arch.py</c>) as a file format:
/// <code>
/// {'stage-1': {'macro': {'depth': 2, 'width': 32, 'ratio': 4},
///              'meso': {'use_layer_scale': [False, True, True], 'is_drop': [False, True, True],
///                       '1': 'skip-skip-skip-skip-skip', '2': 'skip-GN-dwise_3x3-skip-gelu', '3': 'skip-skip-avgpool-LN-silu',
///                       '0->1': 'none', '0->2': 'none', '1->2': 'skip', '0->3': 'none', '1->3': 'none', '2->3': 'skip'}},
///  'stage-2': …, 'stage-3': …, 'stage-4': …}
/// </code>
/// Reads it written as a Python literal (single or double quotes, <c>True</c>/<c>False</c>, <c>#</c> comments,
/// trailing commas, an optional <c>name = </c> before each dictionary, so <c>arch.py</c> itself reads) or as JSON,
/// and writes both. Micro strings are <c>act-norm-op-norm-act</c>; a missing <c>ratio</c> means 4, as in the official model.
/// </summary>
public static class BurgerFormerArchFormat
{
    private static readonly string[] StageKeys = ["macro", "meso"];
    private static readonly string[] MacroKeys = ["depth", "width", "ratio"];

    /// <summary>True when <paramref name="text"/> looks like a BurgerFormer dictionary (it names a <c>stage-1</c> with a <c>macro</c> part).</summary>
    public static bool Recognises(string text) =>
        (text.Contains("'stage-1'", StringComparison.Ordinal) || text.Contains("\"stage-1\"", StringComparison.Ordinal)) && text.Contains("macro", StringComparison.Ordinal);

    /// <summary>Reads the architecture in file <paramref name="path"/>; <paramref name="name"/> picks one when the file assigns several (as <c>arch.py</c> does).</summary>
    /// <exception cref="UserInputException">The file does not exist or is not a valid architecture; the message names the file and the bad key or value.</exception>
    public static BurgerFormerConfig Read(string path, string? name = null)
    {
        if (!File.Exists(path)) throw new UserInputException($"The architecture file '{path}' does not exist.");
        return Parse(ArchitectureFile.ReadText(path), path, name);
    }

    /// <summary>Parses one architecture from <paramref name="text"/> (<paramref name="source"/> names it in errors).</summary>
    /// <exception cref="UserInputException">The text is not a valid architecture, holds none, or holds several and <paramref name="name"/> does not pick one.</exception>
    public static BurgerFormerConfig Parse(string text, string source, string? name = null)
    {
        var all = ReadAll(text, source);
        if (name is not null)
            return all.TryGetValue(name, out var named) ? named
                : throw new UserInputException($"{source} has no architecture named {InputText.Quote(name)}; it has {InputText.Clip(string.Join(", ", all.Keys), 80)}.");
        if (all.Count == 1) return all.Values.First();
        throw new UserInputException($"{source} holds {all.Count} architectures ({InputText.Clip(string.Join(", ", all.Keys), 80)}); name the one to read.");
    }

    /// <summary>Every architecture in <paramref name="text"/> by its assigned name (<c>""</c> for a bare dictionary), in file order.</summary>
    /// <exception cref="UserInputException">The text is malformed or an architecture in it is invalid.</exception>
    public static IReadOnlyDictionary<string, BurgerFormerConfig> ReadAll(string text, string source)
    {
        var result = new Dictionary<string, BurgerFormerConfig>(StringComparer.Ordinal);
        foreach (var (name, value) in new LiteralParser(text, source).Statements())
        {
            string where = name.Length > 0 ? $"{source}: {name}" : source;
            if (result.ContainsKey(name)) throw new UserInputException($"{source} assigns {InputText.Quote(name)} twice.");
            result.Add(name, ToConfig(value, where));
        }
        if (result.Count == 0) throw new UserInputException($"{source} holds no architecture dictionary.");
        return result;
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/>: a Python literal (<c>name = {…}</c>) when the path ends in <c>.py</c>, else JSON. Written to a temporary file first, so a failure leaves an existing file intact.</summary>
    /// <exception cref="UserInputException">The configuration is invalid.</exception>
    public static void Write(string path, BurgerFormerConfig config, string name = "arch")
    {
        string text = path.EndsWith(".py", StringComparison.OrdinalIgnoreCase) ? ToPython(config, name) : ToJson(config);
        AtomicFile.WriteAllText(path, text);
    }

    /// <summary>The official dictionary as indented JSON (keys in the official order).</summary>
    /// <exception cref="UserInputException">The configuration is invalid.</exception>
    public static string ToJson(BurgerFormerConfig config)
    {
        config.Validate();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            for (int i = 0; i < config.Stages.Count; i++)
            {
                var s = config.Stages[i];
                json.WriteStartObject($"stage-{i + 1}");
                json.WriteStartObject("macro");
                json.WriteNumber("depth", s.Depth);
                json.WriteNumber("width", s.Width);
                json.WriteNumber("ratio", s.Ratio);
                json.WriteEndObject();
                json.WriteStartObject("meso");
                json.WriteStartArray("use_layer_scale");
                foreach (var m in s.Meso.SubBlocks) json.WriteBooleanValue(m.UseLayerScale);
                json.WriteEndArray();
                json.WriteStartArray("is_drop");
                foreach (var m in s.Meso.SubBlocks) json.WriteBooleanValue(m.IsDrop);
                json.WriteEndArray();
                for (int k = 0; k < 3; k++) json.WriteString((k + 1).ToString(CultureInfo.InvariantCulture), s.Meso.SubBlocks[k].ToMicroString());
                for (int e = 0; e < 6; e++) json.WriteString(BurgerFormerMesoConfig.EdgeKeys[e], s.Meso.Edges[e] ? "skip" : "none");
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The official dictionary as a Python assignment in <c>arch.py</c>'s style, one stage per line.</summary>
    /// <exception cref="UserInputException">The configuration is invalid.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a Python identifier.</exception>
    public static string ToPython(BurgerFormerConfig config, string name = "arch")
    {
        config.Validate();
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(ch => char.IsLetterOrDigit(ch) || ch == '_'))
            throw new ArgumentException($"'{name}' is not a Python identifier.");
        static string Bool(bool b) => b ? "True" : "False";
        var sb = new StringBuilder();
        sb.Append(name).Append(" = {\n");
        for (int i = 0; i < config.Stages.Count; i++)
        {
            var s = config.Stages[i];
            var subs = s.Meso.SubBlocks;
            sb.Append(CultureInfo.InvariantCulture, $"    'stage-{i + 1}': {{'macro': {{'depth': {s.Depth}, 'width': {s.Width}, 'ratio': {s.Ratio}}}, 'meso': {{");
            sb.Append(CultureInfo.InvariantCulture, $"'use_layer_scale': [{Bool(subs[0].UseLayerScale)}, {Bool(subs[1].UseLayerScale)}, {Bool(subs[2].UseLayerScale)}], ");
            sb.Append(CultureInfo.InvariantCulture, $"'is_drop': [{Bool(subs[0].IsDrop)}, {Bool(subs[1].IsDrop)}, {Bool(subs[2].IsDrop)}]");
            for (int k = 0; k < 3; k++) sb.Append(CultureInfo.InvariantCulture, $", '{k + 1}': '{subs[k].ToMicroString()}'");
            for (int e = 0; e < 6; e++) sb.Append(CultureInfo.InvariantCulture, $", '{BurgerFormerMesoConfig.EdgeKeys[e]}': '{(s.Meso.Edges[e] ? "skip" : "none")}'");
            sb.Append("}}").Append(i + 1 < config.Stages.Count ? ",\n" : "\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static BurgerFormerConfig ToConfig(object? value, string where)
    {
        var root = Dict(value, where, "the architecture");
        var stages = new BurgerFormerStageConfig[4];
        foreach (var key in root.Keys)
        {
            if (key is not ("stage-1" or "stage-2" or "stage-3" or "stage-4"))
                throw new UserInputException($"{where}: unknown key {InputText.Quote(key)} (an architecture has 'stage-1' … 'stage-4').");
        }
        for (int i = 0; i < 4; i++)
        {
            string stageKey = $"stage-{i + 1}";
            var stage = Dict(Get(root, stageKey, where, "the architecture"), where, stageKey);
            CheckKeys(stage, StageKeys, where, stageKey);
            var macro = Dict(Get(stage, "macro", where, stageKey), where, stageKey + ".macro");
            CheckKeys(macro, MacroKeys, where, stageKey + ".macro");
            int depth = Int(Get(macro, "depth", where, stageKey + ".macro"), where, stageKey + ".macro.depth");
            int width = Int(Get(macro, "width", where, stageKey + ".macro"), where, stageKey + ".macro.width");
            int ratio = macro.TryGetValue("ratio", out var r) ? Int(r, where, stageKey + ".macro.ratio") : 4;
            var meso = Dict(Get(stage, "meso", where, stageKey), where, stageKey + ".meso");
            stages[i] = new BurgerFormerStageConfig { Depth = depth, Width = width, Ratio = ratio, Meso = Meso(meso, where, stageKey + ".meso") };
        }
        var config = new BurgerFormerConfig { Stages = stages };
        try
        {
            config.Validate();
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"{where}: {e.Message}", e);
        }
        return config;
    }

    private static BurgerFormerMesoConfig Meso(Dictionary<string, object?> meso, string where, string path)
    {
        var allowed = new List<string> { "use_layer_scale", "is_drop", "1", "2", "3" };
        allowed.AddRange(BurgerFormerMesoConfig.EdgeKeys);
        CheckKeys(meso, allowed, where, path);
        var layerScale = Bools(Get(meso, "use_layer_scale", where, path), where, path + ".use_layer_scale");
        var isDrop = Bools(Get(meso, "is_drop", where, path), where, path + ".is_drop");
        var subs = new BurgerFormerMicroConfig[3];
        for (int k = 0; k < 3; k++)
        {
            string key = (k + 1).ToString(CultureInfo.InvariantCulture);
            subs[k] = Micro(Str(Get(meso, key, where, path), where, $"{path}['{key}']"), k == 1, where, $"{path}['{key}']") with
            {
                UseLayerScale = layerScale[k],
                IsDrop = isDrop[k],
            };
        }
        var edges = new bool[6];
        for (int e = 0; e < 6; e++)
        {
            string key = BurgerFormerMesoConfig.EdgeKeys[e];
            string v = Str(Get(meso, key, where, path), where, $"{path}['{key}']");
            edges[e] = v switch
            {
                "skip" => true,
                "none" => false,
                _ => throw new UserInputException($"{where}: {path}['{key}'] is {InputText.Quote(v)}; an edge is 'skip' or 'none'."),
            };
        }
        return new BurgerFormerMesoConfig { SubBlocks = subs, Edges = edges };
    }

    private static BurgerFormerMicroConfig Micro(string text, bool meat, string where, string path)
    {
        var parts = text.Split('-');
        if (parts.Length != 5)
            throw new UserInputException($"{where}: {path} is {InputText.Quote(text)}; a sub-block is five parts act-norm-op-norm-act such as 'skip-GN-dwise_3x3-skip-gelu'.");
        var ops = meat ? BurgerFormerVocabulary.MeatOps : BurgerFormerVocabulary.BreadOps;
        var op = ops.Contains(parts[2]) ? BurgerFormerVocabulary.ParseOp(parts[2]) : null;
        return new BurgerFormerMicroConfig
        {
            PreActivation = BurgerFormerVocabulary.ParseActivation(parts[0]) ?? throw Bad(where, path, "activation", parts[0], BurgerFormerVocabulary.Activations),
            PreNorm = BurgerFormerVocabulary.ParseNorm(parts[1]) ?? throw Bad(where, path, "norm", parts[1], BurgerFormerVocabulary.Norms),
            Op = op ?? throw Bad(where, path, meat ? "middle-block op" : "op", parts[2], ops),
            PostNorm = BurgerFormerVocabulary.ParseNorm(parts[3]) ?? throw Bad(where, path, "norm", parts[3], BurgerFormerVocabulary.Norms),
            Activation = BurgerFormerVocabulary.ParseActivation(parts[4]) ?? throw Bad(where, path, "activation", parts[4], BurgerFormerVocabulary.Activations),
        };
    }

    private static UserInputException Bad(string where, string path, string what, string value, IReadOnlyList<string> known) =>
        new($"{where}: {path} has unknown {what} {InputText.Quote(value)} (known: {InputText.Clip(string.Join(", ", known), 100)}).");

    private static void CheckKeys(Dictionary<string, object?> dict, IReadOnlyList<string> allowed, string where, string path)
    {
        foreach (var key in dict.Keys)
        {
            if (!allowed.Contains(key))
                throw new UserInputException($"{where}: {path} has unknown key {InputText.Quote(key)} (known: {InputText.Clip(string.Join(", ", allowed), 100)}).");
        }
    }

    private static object? Get(Dictionary<string, object?> dict, string key, string where, string path) =>
        dict.TryGetValue(key, out var v) ? v : throw new UserInputException($"{where}: {path} has no '{key}'.");

    private static Dictionary<string, object?> Dict(object? v, string where, string path) =>
        v as Dictionary<string, object?> ?? throw new UserInputException($"{where}: {path} is {Describe(v)}, not a dictionary.");

    private static string Str(object? v, string where, string path) =>
        v as string ?? throw new UserInputException($"{where}: {path} is {Describe(v)}, not a string.");

    private static int Int(object? v, string where, string path) =>
        v is long l && l is >= int.MinValue and <= int.MaxValue ? (int)l
        : throw new UserInputException($"{where}: {path} is {Describe(v)}, not an integer.");

    private static bool[] Bools(object? v, string where, string path)
    {
        if (v is not List<object?> list || list.Count != 3)
            throw new UserInputException($"{where}: {path} is {Describe(v)}, not a list of three booleans.");
        var result = new bool[3];
        for (int i = 0; i < 3; i++)
            result[i] = list[i] as bool? ?? throw new UserInputException($"{where}: {path}[{i}] is {Describe(list[i])}, not a boolean.");
        return result;
    }

    private static string Describe(object? v) => v switch
    {
        null => "None",
        string s => InputText.Quote(s),
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        List<object?> l => $"a list of {l.Count}",
        _ => "a dictionary",
    };
}
