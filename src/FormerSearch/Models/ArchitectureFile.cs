using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Spaces;

namespace FormerSearch.Models;

/// <summary>
/// Models described by a file instead of a registry name (<c>--arch FILE</c>): an architecture of a search space
/// (the JSON <c>former space sample</c> writes), a BurgerFormer dictionary (the official <c>arch.py</c> format, Python
/// literal or JSON; <c>FILE:NAME</c> picks one of several), or the official AutoFormer experiment YAML. The file's
/// name (without extension), or NAME, names the model.
/// </summary>
public static class ArchitectureFile
{
    /// <summary>The model <paramref name="path"/> describes, as a registry-like entry.</summary>
    /// <exception cref="UserInputException">The file does not exist, is in no known architecture format, or its content is invalid; the message names the file.</exception>
    public static ModelEntry Load(string path)
    {
        string? pick = null;
        int colon = path.LastIndexOf(':');
        if (!File.Exists(path) && colon > 0 && File.Exists(path[..colon])) (path, pick) = (path[..colon], path[(colon + 1)..]);
        if (!File.Exists(path)) throw new UserInputException($"The architecture file {path} does not exist.");
        string text = ReadText(path);
        string name = pick ?? Path.GetFileNameWithoutExtension(path);
        if (Architecture.Recognises(text))
        {
            var (space, architecture) = SpaceArchitecture(text, path);
            return new ModelEntry(name, space.Name, space.DefaultInput, o => space.CreateModel(architecture, o), o => space.Profile(architecture, o), IsOfficial: false);
        }
        if (BurgerFormerArchFormat.Recognises(text))
        {
            var config = BurgerFormerArchFormat.Parse(text, path, pick);
            return new ModelEntry(name, "BurgerFormer", ModelInput.ImageNet, o => new BurgerFormer(config, o), o => BurgerFormer.Profile(name, config, o), IsOfficial: false);
        }
        if (AutoFormerYaml.Recognises(text))
        {
            var config = AutoFormerYaml.Parse(text, path);
            try { config.Validate(); }
            catch (UserInputException e) { throw new UserInputException($"{path}: {e.Message}", e); }
            return AutoFormerVariants.Entry(name, config) with { IsOfficial = false };
        }
        throw new UserInputException($"{path} is in no architecture format former reads: expected an architecture JSON (space, preset, choices), a BurgerFormer dictionary (stage-1 … stage-4) or an AutoFormer experiment YAML (RETRAIN or SUPERNET section).");
    }

    /// <summary>The text of architecture file <paramref name="path"/>.</summary>
    /// <exception cref="UserInputException">It cannot be read (permission, a folder, an I/O error).</exception>
    internal static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot read the architecture file {InputText.QuotePath(path)}: {InputText.Clip(e.Message, 100)}", e);
        }
    }

    // An architecture JSON checked against its space. The spaces' readers and checks name the file or the choice.
    private static (ISearchSpace Space, Architecture Architecture) SpaceArchitecture(string text, string path)
    {
        var architecture = Architecture.FromJson(text, path);
        try
        {
            var space = SearchSpaces.Create(architecture.Space, architecture.Preset);
            return (space, space.Validate(architecture));
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"{path}: {e.Message}", e);
        }
    }
}
