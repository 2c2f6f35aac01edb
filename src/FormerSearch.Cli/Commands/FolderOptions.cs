using System.CommandLine;
using FormerSearch.Cli.Progress;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>--cache-dir DIR --test-size N --strict-images</c>: how every command that reads a data set reads an image folder
/// (<c>--dataset folder:DIR</c>): where its decoded cache goes, how many images to hold out as the test set when it has no
/// test folder, and whether an unreadable image is an error.
/// </summary>
public sealed class FolderOptions
{
    /// <summary>Where decoded caches go.</summary>
    public Option<string?> CacheDir { get; } = new("--cache-dir")
    {
        Description = $"Image folders: where the decoded cache goes (default {ImageFolderCache.DefaultDirectory}, from $XDG_CACHE_HOME).",
    };

    /// <summary>Test images held out of a folder without a test folder.</summary>
    public Option<int?> TestSize { get; } = new("--test-size")
    {
        Description = "Image folders without test/ or val/: images held out as the test set (by --seed, before --val-size; commands reading a trained model or supernet default to the size it was trained with).",
    };

    /// <summary>Unreadable images are errors.</summary>
    public Option<bool> StrictImages { get; } = new("--strict-images") { Description = "Image folders: exit with an error on an unreadable image instead of skipping it with a warning." };

    /// <summary>Adds the three options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(CacheDir);
        command.Options.Add(TestSize);
        command.Options.Add(StrictImages);
    }

    /// <summary>
    /// How <paramref name="spec"/> is read when it is an image folder decoded at <paramref name="input"/> (null for other data
    /// sets); <paramref name="trainedTestSize"/> is the test size a trained model or supernet recorded, used when
    /// <c>--test-size</c> is not given.
    /// </summary>
    /// <exception cref="UserInputException">A folder option is given for a data set that is not a folder, or a size is negative.</exception>
    public ImageFolderOptions? For(ParseResult parse, DatasetSpec spec, ModelInput input, RunOptions run, int? trainedTestSize = null)
    {
        int? testSize = parse.GetValue(TestSize);
        if (spec.Kind != DatasetKind.Folder)
        {
            if (testSize is > 0) throw new UserInputException($"--test-size holds test images out of an image folder; {spec} has its own test set.");
            return null;
        }
        return new ImageFolderOptions
        {
            Input = input,
            CacheDirectory = parse.GetValue(CacheDir),
            TestSize = CommonOptions.AtLeast(testSize ?? trainedTestSize ?? 0, 0, "--test-size"),
            StrictImages = parse.GetValue(StrictImages),
            Threads = EngineSettings.Threads,
            Reporter = new ImageFolderReporter(run.WantsBar(parse), run.WantsJson(parse)),
        };
    }
}
