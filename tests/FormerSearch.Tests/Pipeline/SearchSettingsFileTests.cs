using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Pipeline;

namespace FormerSearch.Tests.Pipeline;

/// <summary>
/// <c>search.json</c> refuses a resume with other settings, naming the first that differs; a folder of a version that did
/// not record the replicas, the fine-tuning's random erasing or its images counts as what that version did (one replica, no
/// erasing, fine-tuning on the training images less the held-out ones).
/// </summary>
public sealed class SearchSettingsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(JsonObject json) => File.WriteAllText(Path.Combine(_dir, SearchSettingsFile.FileName), json.ToJsonString());

    [Fact]
    public void Other_settings_are_refused_by_name_and_an_older_folder_counts_as_one_replica()
    {
        var settings = new SearchPipelineSettings();
        Write(SearchSettingsFile.ToJson(settings));
        SearchSettingsFile.CheckSame(_dir, settings);
        var e = Assert.Throws<UserInputException>(() => SearchSettingsFile.CheckSame(_dir, settings with { Replicas = 3 }));
        Assert.Contains("--replicas 2, not 3", e.Message);

        var older = SearchSettingsFile.ToJson(settings);
        older.Remove("--replicas");
        Write(older);
        SearchSettingsFile.CheckSame(_dir, settings with { Replicas = 1 });
        e = Assert.Throws<UserInputException>(() => SearchSettingsFile.CheckSame(_dir, settings));
        Assert.Contains("--replicas 1, not 2", e.Message);
    }

    [Theory]
    [InlineData("fine-tuning random erasing", "0.25")]
    [InlineData("fine-tuning mixup", "0.8")]
    [InlineData("fine-tuning cutmix", "1")]
    [InlineData("fine-tuning drop path", "0.1")]
    public void A_folder_that_did_not_record_a_fine_tuning_regulariser_fine_tuned_without_it(string name, string thorough)
    {
        var settings = new SearchPipelineSettings();
        var older = SearchSettingsFile.ToJson(settings);
        older.Remove(name);
        Write(older);
        SearchSettingsFile.CheckSame(_dir, settings);
        Assert.Equal(thorough, (string?)SearchSettingsFile.ToJson(SearchPreset.Get("thorough").Settings)[name]);
        var e = Assert.Throws<UserInputException>(() => SearchSettingsFile.CheckSame(_dir, settings with
        {
            FinetuneRandomErasing = name == "fine-tuning random erasing" ? 0.25f : 0, FinetuneMixup = name == "fine-tuning mixup" ? 0.8f : 0,
            FinetuneCutmix = name == "fine-tuning cutmix" ? 1f : 0, FinetuneDropPath = name == "fine-tuning drop path" ? 0.1f : 0,
        }));
        Assert.Contains($"{name} 0, not {thorough}", e.Message);
    }

    [Fact]
    public void A_folder_that_did_not_record_its_fine_tuning_images_fine_tuned_without_the_held_out_ones()
    {
        var settings = new SearchPipelineSettings();
        var older = SearchSettingsFile.ToJson(settings);
        Assert.Equal("train", (string?)older["--finetune-images"]);
        older.Remove("--finetune-images");
        Write(older);
        SearchSettingsFile.CheckSame(_dir, settings);
        var e = Assert.Throws<UserInputException>(() => SearchSettingsFile.CheckSame(_dir, settings with { FinetuneImages = FinetuneImages.All }));
        Assert.Contains("--finetune-images train, not all", e.Message);
    }
}
