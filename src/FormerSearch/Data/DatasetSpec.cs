using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// A data set as the command line names it: <c>fashion-mnist</c>, <c>mnist</c>, <c>cifar10</c>,
/// <c>cifar100</c>, <c>npy:IMAGES.npy,LABELS.npy</c> (optionally followed by
/// <c>,TEST_IMAGES.npy,TEST_LABELS.npy</c>), or an image folder <c>folder:DIR</c> or <c>folder:TRAIN_DIR,TEST_DIR</c>.
/// Relative .npy and folder paths are taken relative to the data directory when one is given.
/// </summary>
public sealed record DatasetSpec
{
    private DatasetSpec(DatasetKind kind, string? trainImages, string? trainLabels, string? testImages, string? testLabels,
        string? folder = null, string? testFolder = null)
    {
        Kind = kind;
        NpyTrainImages = trainImages;
        NpyTrainLabels = trainLabels;
        NpyTestImages = testImages;
        NpyTestLabels = testLabels;
        Folder = folder;
        TestFolder = testFolder;
    }

    /// <summary>The image folder of a <c>folder:</c> spec (the root, or the training folder when a test folder follows); null otherwise.</summary>
    public string? Folder { get; }

    /// <summary>The test folder of a <c>folder:TRAIN_DIR,TEST_DIR</c> spec; null otherwise.</summary>
    public string? TestFolder { get; }

    /// <summary>Which reader opens it.</summary>
    public DatasetKind Kind { get; }

    /// <summary>The training (or only) images file of an <c>npy:</c> spec; null otherwise.</summary>
    public string? NpyTrainImages { get; }

    /// <summary>The training (or only) labels file of an <c>npy:</c> spec; null otherwise.</summary>
    public string? NpyTrainLabels { get; }

    /// <summary>The test images file of a four-file <c>npy:</c> spec; null when the spec names one pair.</summary>
    public string? NpyTestImages { get; }

    /// <summary>The test labels file of a four-file <c>npy:</c> spec; null when the spec names one pair.</summary>
    public string? NpyTestLabels { get; }

    /// <summary>A built-in data set (not <see cref="DatasetKind.Npy"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is <see cref="DatasetKind.Npy"/> or <see cref="DatasetKind.Folder"/>, which need paths.</exception>
    public static DatasetSpec Of(DatasetKind kind)
    {
        if (kind is DatasetKind.Npy or DatasetKind.Folder) throw new ArgumentException($"A {kind} data set needs its paths; use DatasetSpec.Parse(\"npy:IMAGES.npy,LABELS.npy\") or Parse(\"folder:DIR\").", nameof(kind));
        return new DatasetSpec(kind, null, null, null, null);
    }

    /// <summary>Parses a spec (case-insensitive names; .npy paths kept as written).</summary>
    /// <exception cref="UserInputException">The spec names no known data set, an <c>npy:</c> spec does not list two or four files, or a <c>folder:</c> spec not one or two folders.</exception>
    public static DatasetSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string text = spec.Trim();
        if (text.StartsWith("folder:", StringComparison.OrdinalIgnoreCase))
        {
            string paths = text[7..].Trim();
            // A folder whose own name holds a comma is taken whole.
            var parts = Directory.Exists(paths) ? [paths] : paths.Split(',').Select(p => p.Trim()).ToArray();
            if (parts.Length is < 1 or > 2 || parts.Any(p => p.Length == 0))
                throw new UserInputException($"Dataset spec '{spec}' must name an image folder (folder:DIR) or a training and a test folder (folder:TRAIN_DIR,TEST_DIR).");
            return new DatasetSpec(DatasetKind.Folder, null, null, null, null, parts[0], parts.Length == 2 ? parts[1] : null);
        }
        if (text.StartsWith("npy:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = text[4..].Split(',');
            foreach (var p in parts)
                if (p.Trim().Length == 0) throw BadNpy(spec);
            return parts.Length switch
            {
                2 => new DatasetSpec(DatasetKind.Npy, parts[0].Trim(), parts[1].Trim(), null, null),
                4 => new DatasetSpec(DatasetKind.Npy, parts[0].Trim(), parts[1].Trim(), parts[2].Trim(), parts[3].Trim()),
                _ => throw BadNpy(spec),
            };
        }
        return text.ToLowerInvariant() switch
        {
            "fashion-mnist" or "fashion_mnist" or "fashionmnist" => Of(DatasetKind.FashionMnist),
            "mnist" => Of(DatasetKind.Mnist),
            "cifar10" or "cifar-10" => Of(DatasetKind.Cifar10),
            "cifar100" or "cifar-100" => Of(DatasetKind.Cifar100),
            _ => throw new UserInputException($"Unknown dataset '{spec}': expected fashion-mnist, mnist, cifar10, cifar100, npy:IMAGES.npy,LABELS.npy or folder:DIR."),
        };
    }

    /// <summary>The spec in the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => Kind switch
    {
        DatasetKind.FashionMnist => "fashion-mnist",
        DatasetKind.Mnist => "mnist",
        DatasetKind.Cifar10 => "cifar10",
        DatasetKind.Cifar100 => "cifar100",
        DatasetKind.Folder => TestFolder is null ? $"folder:{Folder}" : $"folder:{Folder},{TestFolder}",
        _ => NpyTestImages is null
            ? $"npy:{NpyTrainImages},{NpyTrainLabels}"
            : $"npy:{NpyTrainImages},{NpyTrainLabels},{NpyTestImages},{NpyTestLabels}",
    };

    private static UserInputException BadNpy(string spec) =>
        new($"Dataset spec '{spec}' must name two .npy files (npy:IMAGES.npy,LABELS.npy) or four (npy:TRAIN_IMAGES.npy,TRAIN_LABELS.npy,TEST_IMAGES.npy,TEST_LABELS.npy).");
}
