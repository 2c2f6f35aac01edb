using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Tests.Inference;

/// <summary>The model card in a safetensors file's <c>__metadata__</c>: written with the weights, read back, absent keys tolerated.</summary>
public sealed class ModelCardTests
{
    [Fact]
    public void A_card_round_trips_through_a_weights_file_that_still_loads()
    {
        string path = Path.Combine(Path.GetTempPath(), $"former-card-{Guid.NewGuid():N}.safetensors");
        try
        {
            var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 3) with { Seed = 1 });
            var card = new ModelCard
            {
                Model = "poolformer_mini", NumClasses = 3, ClassNames = ["cat", "dog, big", "émeu \"x\""], Input = new ModelInput(1, 28, 28),
                Mean = [0.25f], Std = [0.5f], Dataset = "folder:/data/pets", ValSize = 10, TestSize = 5, SplitSeed = 7,
            };
            card.Save(model, path);
            var metadata = SafeTensors.LoadMetadata(path);
            Assert.Equal("pt", metadata["format"]);
            Assert.Equal("1x28x28", metadata["input"]);
            var read = ModelCard.Read(path);
            Assert.Equal(card.ToMetadata(), read.ToMetadata());
            Assert.Equal(card.ClassNames, read.ClassNames);
            Assert.Equal(card.Mean, read.Mean);
            Assert.Equal("poolformer_mini", read.Entry("test")!.Name);
            var twin = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 3));
            twin.LoadSafeTensors(path, strict: true);
            Assert.Equal(model.StateDict()["head.weight"].ToArray(), twin.StateDict()["head.weight"].ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Absent_keys_are_null_and_malformed_ones_are_named()
    {
        var empty = ModelCard.FromMetadata(new Dictionary<string, string> { ["format"] = "pt", ["something_else"] = "x" }, "w");
        Assert.Null(empty.Model);
        Assert.Null(empty.Input);
        Assert.Null(empty.ClassNames);
        Assert.Null(empty.Entry("w"));
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, empty.ToMetadata());

        foreach (var (key, value) in new[] { ("input", "28x28"), ("num_classes", "ten"), ("class_names", "[1,"), ("mean", "{}") })
        {
            var e = Assert.Throws<UserInputException>(() => ModelCard.FromMetadata(new Dictionary<string, string> { [key] = value }, "'w.safetensors'"));
            Assert.Contains($"malformed '{key}'", e.Message);
        }
        var mismatch = Assert.Throws<UserInputException>(() => ModelCard.FromMetadata(new Dictionary<string, string> { ["num_classes"] = "2", ["class_names"] = "[\"a\"]" }, "w"));
        Assert.Contains("1 class names for 2 classes", mismatch.Message);
        var unknown = Assert.Throws<UserInputException>(() => new ModelCard { Model = "poolformer_xxl" }.Entry("'w'"));
        Assert.Contains("poolformer_xxl", unknown.Message);
    }

    [Fact]
    public void An_architecture_card_builds_its_subnet()
    {
        var space = FormerSearch.Spaces.SearchSpaces.Create("burger", "mini");
        var architecture = space.Smallest();
        var entry = new ModelCard { Architecture = architecture.ToJson() }.Entry("w")!;
        Assert.Equal("burger-mini subnet", entry.Name);
        Assert.Equal(space.Profile(architecture, ModelOptions.For(space.DefaultInput, 10)).Params, entry.Profile(ModelOptions.For(space.DefaultInput, 10)).Params);
    }
}
