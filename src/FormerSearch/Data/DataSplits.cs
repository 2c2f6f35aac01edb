using FormerSearch.Data.Folders;
using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// The three parts every command works with: the training images (less the held-out ones), the held-out validation
/// images (a deterministic part of the training set; none when the size is 0), and the test set, opened on first use.
/// </summary>
public sealed class DataSplits
{
    private readonly Func<ImageDataset> _openTest;
    private ImageDataset? _test;

    private DataSplits(Func<ImageDataset> openTest, ImageDataset allTraining, ImageDataset train, ImageDataset? validation)
    {
        _openTest = openTest;
        AllTraining = allTraining;
        Train = train;
        Validation = validation;
    }

    /// <summary>Every training image, the held-out ones included (what a model found on the held-out images is finally trained on).</summary>
    public ImageDataset AllTraining { get; }

    /// <summary>Training images (held-out ones removed).</summary>
    public ImageDataset Train { get; }

    /// <summary>Held-out validation images, or null when none were asked for.</summary>
    public ImageDataset? Validation { get; }

    /// <summary>The test set (read on first use).</summary>
    public ImageDataset Test => _test ??= _openTest();

    /// <summary>
    /// Opens <paramref name="spec"/>'s training set and holds out <paramref name="valSize"/> images chosen by <paramref name="seed"/>.
    /// An image folder (<c>folder:</c>) needs <paramref name="folders"/>, which says its decode size and cache; its test images,
    /// when the folder has no test folder, are held out first (by the same seed), so they never mix with the validation images.
    /// </summary>
    /// <exception cref="UserInputException">A data file is missing (the message says what to install or pass) or damaged, an image folder is badly laid out, or <paramref name="valSize"/> is negative or leaves no training image.</exception>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is an image folder and <paramref name="folders"/> is null.</exception>
    public static DataSplits Open(DatasetSpec spec, string? dataDir, int valSize, ulong seed, ImageFolderOptions? folders = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ImageDataset train;
        Func<ImageDataset> openTest;
        if (spec.Kind == DatasetKind.Folder)
        {
            if (folders is null) throw new ArgumentException($"Opening the image folder {spec} needs ImageFolderOptions (its decode size and cache).", nameof(folders));
            (train, openTest) = ImageFolderData.Open(spec, dataDir, folders, seed);
        }
        else
        {
            if (folders is { TestSize: > 0 })
                throw new UserInputException($"--test-size holds test images out of an image folder; {spec} has its own test set.");
            train = DatasetCatalog.Open(spec, dataDir, DatasetSplitKind.Train);
            openTest = () => DatasetCatalog.Open(spec, dataDir, DatasetSplitKind.Test);
        }
        if (valSize < 0 || valSize >= train.Count)
            throw new UserInputException($"--val-size {valSize} is invalid: it must be in [0, {train.Count - 1}] for the {train.Count} training images of {train.Name}.");
        if (valSize == 0) return new DataSplits(openTest, train, train, null);
        var (rest, validation) = HoldOut.Split(train, valSize, seed);
        return new DataSplits(openTest, train, rest, validation);
    }
}
