using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Inference;

/// <summary>What the command line gives against what a model card says: the given value where the card is silent, the card's where nothing is given, one sentence naming both when they differ.</summary>
public sealed class ModelCardAgreementTests
{
    [Fact]
    public void A_value_is_the_given_one_else_the_cards_and_a_contradiction_names_both()
    {
        Assert.Equal(40, ModelCard.Settle("--val-size", 40, (int?)null, "'w'"));
        Assert.Equal(40, ModelCard.Settle("--val-size", null, (int?)40, "'w'"));
        Assert.Equal(40, ModelCard.Settle("--val-size", 40, (int?)40, "'w'"));
        Assert.Null(ModelCard.Settle<int>("--val-size", null, null, "'w'"));
        Assert.Equal(new ModelInput(1, 28, 28), ModelCard.Settle("--input", null, (ModelInput?)new ModelInput(1, 28, 28), "'w'"));
        var e = Assert.Throws<UserInputException>(() => ModelCard.Settle("--input", new ModelInput(3, 32, 32), (ModelInput?)new ModelInput(1, 28, 28), "'w.safetensors'"));
        Assert.Equal("--input 3x32x32 contradicts the model card of 'w.safetensors', which says 1x28x28; leave --input out to use the card's.", e.Message);
        var seed = Assert.Throws<UserInputException>(() => ModelCard.Settle("--seed", 4UL, (ulong?)3UL, "'w'"));
        Assert.Contains("--seed 4 contradicts the model card of 'w', which says 3;", seed.Message);
    }

    [Fact]
    public void Data_sets_agree_by_kind_and_file_names_wherever_they_were_moved()
    {
        var card = new ModelCard { Dataset = "npy:data/x.npy,data/y.npy" };
        Assert.Equal("npy:data/x.npy,data/y.npy", card.SettleDataset(null, "'w'"));
        Assert.Equal("npy:/mnt/moved/x.npy,/mnt/moved/y.npy", card.SettleDataset("npy:/mnt/moved/x.npy,/mnt/moved/y.npy", "'w'"));
        Assert.Equal("fashion_mnist", new ModelCard { Dataset = "fashion-mnist" }.SettleDataset("fashion_mnist", "'w'"));
        Assert.Equal("folder:/srv/pets/", new ModelCard { Dataset = "folder:pets" }.SettleDataset("folder:/srv/pets/", "'w'"));
        Assert.Equal("mnist", new ModelCard().SettleDataset("mnist", "'w'"));
        Assert.Null(new ModelCard().SettleDataset(null, "'w'"));
        var other = Assert.Throws<UserInputException>(() => card.SettleDataset("npy:data/x2.npy,data/y.npy", "'w'"));
        Assert.StartsWith("--dataset npy:data/x2.npy,data/y.npy contradicts the model card of 'w', which says npy:data/x.npy,data/y.npy;", other.Message);
        Assert.Throws<UserInputException>(() => new ModelCard { Dataset = "fashion-mnist" }.SettleDataset("mnist", "'w'"));
    }

    [Fact]
    public void A_model_named_must_be_the_cards()
    {
        var named = new ModelCard { Model = "poolformer_mini" };
        named.CheckModel("poolformer_mini", null, "'w'");
        named.CheckModel("PoolFormer_Mini", null, "'w'"); // names are case-insensitive, as the registry's
        named.CheckModel(null, null, "'w'");
        new ModelCard().CheckModel("deit_tiny", null, "'w'");
        var e = Assert.Throws<UserInputException>(() => named.CheckModel("deit_tiny", null, "'w'"));
        Assert.Equal("--model deit_tiny contradicts the model card of 'w', which says poolformer_mini; leave --model out to use the card's.", e.Message);

        var space = SearchSpaces.Create("glit", "mini");
        var smallest = space.Smallest();
        var subnet = new ModelCard { Architecture = smallest.ToJson() };
        subnet.CheckModel(null, smallest.ToJson(), "'w'");
        var asModel = Assert.Throws<UserInputException>(() => subnet.CheckModel("poolformer_mini", null, "'w'"));
        Assert.Contains("which says a glit-mini subnet;", asModel.Message);
        Assert.Throws<UserInputException>(() => named.CheckModel(null, smallest.ToJson(), "'w'"));
        var largest = space.Largest();
        var differing = largest.Entries.First(e => !smallest.Contains(e.Key) || smallest[e.Key] != e.Value).Key;
        var arch = Assert.Throws<UserInputException>(() => subnet.CheckModel(null, largest.ToJson(), "'w'"));
        Assert.Contains($"--arch a glit-mini subnet with {differing} {largest[differing]} contradicts the model card of 'w', which says a glit-mini subnet with {differing} ", arch.Message);
        var otherSpace = Assert.Throws<UserInputException>(() => subnet.CheckModel(null, SearchSpaces.Create("burger", "mini").Smallest().ToJson(), "'w'"));
        Assert.Contains("--arch a burger-mini subnet contradicts", otherSpace.Message);
    }
}
