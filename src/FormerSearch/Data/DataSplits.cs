using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// The three parts every command works with: the training images (less the held-out ones), the held-out validation
/// images (a deterministic part of the training set; none when the size is 0), and the test set, opened on first use.
/// </summary>
public sealed class DataSplits
{
    private readonly DatasetSpec _spec;
    private readonly string? _dataDir;
    private ImageDataset? _test;

    private DataSplits(DatasetSpec spec, string? dataDir, ImageDataset train, ImageDataset? validation)
    {
        _spec = spec;
        _dataDir = dataDir;
        Train = train;
        Validation = validation;
    }

    /// <summary>Training images (held-out ones removed).</summary>
    public ImageDataset Train { get; }

    /// <summary>Held-out validation images, or null when none were asked for.</summary>
    public ImageDataset? Validation { get; }

    /// <summary>The test set (read on first use).</summary>
    public ImageDataset Test => _test ??= DatasetCatalog.Open(_spec, _dataDir, DatasetSplitKind.Test);

    /// <summary>Opens <paramref name="spec"/>'s training set and holds out <paramref name="valSize"/> images chosen by <paramref name="seed"/>.</summary>
    /// <exception cref="UserInputException">A data file is missing (the message says what to install or pass) or damaged, or <paramref name="valSize"/> is negative or leaves no training image.</exception>
    public static DataSplits Open(DatasetSpec spec, string? dataDir, int valSize, ulong seed)
    {
        var train = DatasetCatalog.Open(spec, dataDir, DatasetSplitKind.Train);
        if (valSize < 0 || valSize >= train.Count)
            throw new UserInputException($"--val-size {valSize} is invalid: it must be in [0, {train.Count - 1}] for the {train.Count} training images of {train.Name}.");
        if (valSize == 0) return new DataSplits(spec, dataDir, train, null);
        var (rest, validation) = HoldOut.Split(train, valSize, seed);
        return new DataSplits(spec, dataDir, rest, validation);
    }
}
