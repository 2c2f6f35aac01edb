using System.Text;
using System.Text.Json.Nodes;
using FormerSearch.Models;
using FormerSearch.Pipeline;
using FormerSearch.Supernets;
using FormerSearch.Testing;
using FormerSearch.Tests.Search;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// Hostile <c>space.json</c> files of a supernet folder and <c>summary.json</c> files of a finished search, generated from
/// valid ones with fixed seeds (every field removed or given a value of another type or out of range, bytes corrupted,
/// empty, deeply nested): each is read or refused in one short line naming the file, never another exception.
/// </summary>
public sealed class SupernetDirectoryHostileInputTests
{
    private static readonly string[] Hostile =
        ["-5", "1e30", "2147483648", "1.5", "\"x\"", "\"\"", "true", "[]", "{}", "\"fashion-mnist\"", "null", new string('[', 5000) + new string(']', 5000)];

    // Fields a space.json may lack (older folders): absent or null, they take their defaults.
    private static readonly string[] Optional = ["sampler", "dataset", "val_size", "seed"];

    private static JsonObject ValidSpace() => new()
    {
        ["space"] = "autoformer", ["preset"] = "mini", ["input"] = new JsonArray(1, 28, 28), ["num_classes"] = 10, ["sampler"] = "uniform",
        ["dataset"] = "fashion-mnist", ["val_size"] = 100, ["seed"] = 5,
    };

    [Fact]
    public void Every_field_removed_or_replaced_by_a_hostile_value_is_refused_unless_it_is_still_valid()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, SupernetDirectory.SpaceFile);
        int cases = 0;
        foreach (var field in ValidSpace().Select(p => p.Key).ToList())
        {
            foreach (var value in Hostile.Append("<removed>"))
            {
                var doc = ValidSpace();
                string text = value == "<removed>" ? (doc.Remove(field) ? doc.ToJsonString() : "") : doc.ToJsonString().Replace($"\"{field}\":{doc[field]!.ToJsonString()}", $"\"{field}\":{value}");
                File.WriteAllText(file, text);
                bool stillValid = (value is "<removed>" or "null" && Optional.Contains(field)) || (field, value) is ("seed", "2147483648") or ("dataset", "\"fashion-mnist\"");
                var refusal = HostileInputs.Check($"{field} = {value[..Math.Min(value.Length, 20)]}", file, () => SupernetDirectory.Load(dir.Path));
                Assert.True(stillValid == (refusal is null), $"{field} = {value[..Math.Min(value.Length, 20)]}: {(refusal is null ? "accepted" : refusal.Message)}");
                cases++;
            }
        }
        Assert.Equal(8 * 13, cases);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n", "JSON")]
    [InlineData("[1, 2]", "object")]
    [InlineData("{\"space\": \"autoformer\", \"space\": \"glit\"}", "JSON")]
    [InlineData("{\"space\": \"nospace\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10}", "nospace")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10, \"dataset\": \"imagenet-22k\"}", "imagenet-22k")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10, \"val_size\": -1}", "val_size")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10, \"val_size\": 2000000000}", "val_size")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10, \"sampler\": \"best\"}", "sampler")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28], \"num_classes\": 10}", "input")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 8000000}", "num_classes")]
    public void Damaged_space_files_are_refused_naming_the_field(string text, string what)
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, SupernetDirectory.SpaceFile);
        File.WriteAllText(file, text);
        Assert.Contains(what, HostileInputs.Refused(what, file, () => SupernetDirectory.Load(dir.Path)).Message);
    }

    [Fact]
    public void Two_hundred_generated_byte_corruptions_of_space_json_are_read_or_refused()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, SupernetDirectory.SpaceFile);
        new SupernetDirectory(dir.Path, "autoformer", "mini", new ModelInput(1, 28, 28), 10, SamplerKind.Uniform, "fashion-mnist", 100, 5).Save();
        var valid = File.ReadAllBytes(file);
        int closing = Array.LastIndexOf(valid, (byte)'}');
        foreach (var (name, bytes) in HostileInputs.Corruptions(valid, seed: 1331, count: 200))
        {
            File.WriteAllBytes(file, bytes);
            var refusal = HostileInputs.Check(name, file, () => SupernetDirectory.Load(dir.Path));
            if (bytes.Length <= closing) Assert.True(refusal is not null, $"{name}: accepted");
        }
    }

    private static string ValidSummary() => new JsonObject
    {
        ["output"] = "/tmp/run",
        ["best"] = new JsonObject
        {
            ["arch"] = new JsonObject { ["space"] = "autoformer" }, ["key"] = "autoformer/mini:depth=1", ["params"] = 1000, ["macs"] = 5000,
            ["inherited_val_acc"] = 0.5, ["val_acc"] = 0.6, ["test_acc"] = 0.55, ["weights"] = "/tmp/run/best/model.safetensors", ["arch_file"] = "/tmp/run/best/model.arch.json",
        },
        ["data"] = new JsonObject { ["train_images"] = 100, ["val_images"] = 10, ["test_images"] = 10, ["skipped_images"] = 0 },
    }.ToJsonString() + "\n";

    [Fact]
    public void Three_hundred_generated_corruptions_of_a_summary_are_read_or_refused()
    {
        using var dir = new TempDir();
        string file = dir.File("summary.json");
        var valid = Encoding.UTF8.GetBytes(ValidSummary());
        File.WriteAllBytes(file, valid);
        Assert.Equal("autoformer/mini:depth=1", SearchSummaryFile.Read(file).BestKey);
        int closing = Array.LastIndexOf(valid, (byte)'}');
        foreach (var (name, bytes) in HostileInputs.Corruptions(valid, seed: 1332, count: 300))
        {
            File.WriteAllBytes(file, bytes);
            var refusal = HostileInputs.Check(name, file, () => SearchSummaryFile.Read(file));
            if (bytes.Length <= closing) Assert.Contains("delete it", refusal?.Message ?? $"{name}: accepted");
        }
        foreach (var field in new[] { "params", "val_acc", "key", "weights" })
        {
            var doc = JsonNode.Parse(ValidSummary())!.AsObject();
            doc["best"]!.AsObject()[field] = "garbage" + field;
            File.WriteAllText(file, doc.ToJsonString());
            if (field != "key" && field != "weights") Assert.Contains(field, HostileInputs.Refused(field, file, () => SearchSummaryFile.Read(file)).Message);
        }
    }

    [Fact]
    public void A_summary_without_a_held_out_score_after_fine_tuning_on_every_image_is_read_but_one_missing_it_is_refused()
    {
        using var dir = new TempDir();
        string file = dir.File("summary.json");
        var doc = JsonNode.Parse(ValidSummary())!.AsObject();
        doc["best"]!.AsObject()["val_acc"] = null;
        File.WriteAllText(file, doc.ToJsonString());
        Assert.Equal("autoformer/mini:depth=1", SearchSummaryFile.Read(file).BestKey);

        doc["best"]!.AsObject().Remove("val_acc");
        File.WriteAllText(file, doc.ToJsonString());
        Assert.Contains("val_acc must be a number or null, not missing", HostileInputs.Refused("no val_acc", file, () => SearchSummaryFile.Read(file)).Message);
    }
}
