using FormerSearch.Spaces;

namespace FormerSearch.Models;

/// <summary>
/// Models described by a file instead of a registry name (<c>--arch FILE</c>): an architecture of a search space
/// (the JSON <c>former space sample</c> writes) or the official AutoFormer experiment YAML. The file's name (without
/// extension) names the model.
/// </summary>
public static class ArchitectureFile
{
    /// <summary>The model <paramref name="path"/> describes, as a registry-like entry.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is in no known architecture format, or its content is invalid.</exception>
    public static ModelEntry Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The architecture file {path} does not exist.", path);
        string text = File.ReadAllText(path);
        string name = Path.GetFileNameWithoutExtension(path);
        if (Architecture.Recognises(text))
        {
            var architecture = Architecture.FromJson(text, path);
            ISearchSpace space;
            try
            {
                space = SearchSpaces.Create(architecture.Space, architecture.Preset);
                architecture = space.Validate(architecture);
            }
            catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
            return new ModelEntry(name, space.Name, space.DefaultInput, o => space.CreateModel(architecture, o), o => space.Profile(architecture, o));
        }
        if (AutoFormerYaml.Recognises(text))
        {
            var config = AutoFormerYaml.Parse(text, path);
            try { config.Validate(ModelInput.ImageNet.Height, ModelInput.ImageNet.Width); }
            catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
            return AutoFormerVariants.Entry(name, config);
        }
        throw new InvalidDataException($"{path} is in no architecture format former reads: expected an architecture JSON (space, preset, choices) or an AutoFormer experiment YAML (RETRAIN or SUPERNET section).");
    }
}
