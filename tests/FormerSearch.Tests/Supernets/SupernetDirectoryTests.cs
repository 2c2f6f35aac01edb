using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Tests.Search;

namespace FormerSearch.Tests.Supernets;

/// <summary>Every problem with a supernet folder or an architecture file given with it is an input error naming the file.</summary>
public sealed class SupernetDirectoryTests
{
    private static SupernetDirectory Folder(string path) =>
        new(path, AutoFormerSpace.SpaceName, "mini", new ModelInput(1, 28, 28), 10, SamplerKind.Uniform, "fashion-mnist", 0, 1);

    [Fact]
    public void A_missing_or_foreign_folder_is_named()
    {
        using var dir = new TempDir();
        Assert.Contains("does not exist", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(dir.File("nowhere"))).Message);
        Assert.Contains("is not a supernet folder", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(dir.Path)).Message);
        File.WriteAllText(Path.Combine(dir.Path, SupernetDirectory.SpaceFile), "{\"space\": 3");
        Assert.Contains("is damaged", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(dir.Path)).Message);
    }

    [Fact]
    public void Architecture_files_of_another_space_or_with_a_bad_choice_are_named()
    {
        using var dir = new TempDir();
        var folder = Folder(dir.Path);
        folder.Save();
        Assert.Equal(folder, SupernetDirectory.Load(dir.Path));
        var space = folder.CreateSpace();
        string good = dir.File("good.json"), other = dir.File("other.json"), bad = dir.File("bad.json");
        File.WriteAllText(good, space.Smallest().ToJson());
        File.WriteAllText(other, new GlitSpace("mini").Smallest().ToJson());
        File.WriteAllText(bad, space.Smallest().With("layer0.heads", "7").ToJson());
        Assert.Equal(space.Smallest(), folder.ReadArchitecture(good));
        Assert.Contains("glit", Assert.Throws<UserInputException>(() => folder.ReadArchitecture(other)).Message);
        var e = Assert.Throws<UserInputException>(() => folder.ReadArchitecture(bad));
        Assert.StartsWith(bad, e.Message);
        Assert.Contains("'layer0.heads' = '7'", e.Message);
        Assert.Contains("has not finished training", Assert.Throws<UserInputException>(folder.LoadSupernet).Message);
        File.WriteAllText(folder.WeightsPath, "not safetensors");
        Assert.Contains(folder.WeightsPath, Assert.Throws<UserInputException>(folder.LoadSupernet).Message);
    }
}
