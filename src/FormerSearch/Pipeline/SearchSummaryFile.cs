using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Pipeline;

/// <summary>
/// Reads back the <c>summary.json</c> a finished <c>former search</c> wrote, as <c>--resume</c> does before reusing it: every
/// field it holds is checked, so a truncated or edited summary is refused naming the file instead of being printed as a result.
/// </summary>
public static class SearchSummaryFile
{
    /// <summary>The summary in <paramref name="path"/> and the key of the architecture it is the summary of.</summary>
    /// <exception cref="UserInputException">The file is empty, not JSON, or a field is missing or of the wrong type; the message names the file and says to delete it.</exception>
    public static (JsonObject Summary, string BestKey) Read(string path)
    {
        try
        {
            var summary = WrittenJson.ReadObject(path);
            WrittenJson.String(summary, "output", path);
            var best = WrittenJson.Object(summary, "best", path);
            WrittenJson.Object(best, "arch", path);
            string key = WrittenJson.String(best, "key", path);
            foreach (var field in new[] { "params", "macs" }) WrittenJson.Integer(best, field, path, 0, long.MaxValue);
            foreach (var field in new[] { "inherited_val_acc", "test_acc" })
                if (WrittenJson.OptionalNumber(best, field, path) is null) throw WrittenJson.Damaged(path, $"{field} must be a number, not missing");
            // null when the best subnet was fine-tuned on the held-out images too (--finetune-images all).
            if (!best.ContainsKey("val_acc")) throw WrittenJson.Damaged(path, "val_acc must be a number or null, not missing");
            WrittenJson.OptionalNumber(best, "val_acc", path);
            foreach (var field in new[] { "weights", "arch_file" }) WrittenJson.String(best, field, path);
            var data = WrittenJson.Object(summary, "data", path);
            foreach (var field in new[] { "train_images", "val_images", "test_images", "skipped_images" }) WrittenJson.Integer(data, field, path, 0, int.MaxValue);
            return (summary, key);
        }
        catch (UserInputException e) when (e.Message.Length < 260)
        {
            // The way out: the summary is recomputed from the finished stages.
            throw new UserInputException(e.Message.TrimEnd('.') + "; delete it to write it again.", e);
        }
    }
}
