using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// A data set as the command line names it: <c>fashion-mnist</c>, <c>mnist</c>, <c>cifar10</c>,
/// <c>cifar100</c>, or <c>npy:IMAGES.npy,LABELS.npy</c> (optionally followed by
/// <c>,TEST_IMAGES.npy,TEST_LABELS.npy</c>). Relative .npy paths are taken relative to the data
/// directory when one is given.
/// </summary>
public sealed record DatasetSpec
{
    private DatasetSpec(DatasetKind kind, string? trainImages, string? trainLabels, string? testImages, string? testLabels)
    {
        Kind = kind;
        NpyTrainImages = trainImages;
        NpyTrainLabels = trainLabels;
        NpyTestImages = testImages;
        NpyTestLabels = testLabels;
    }

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
    /// <exception cref="ArgumentException"><paramref name="kind"/> is <see cref="DatasetKind.Npy"/>, which needs file names.</exception>
    public static DatasetSpec Of(DatasetKind kind)
    {
        if (kind == DatasetKind.Npy) throw new ArgumentException("An npy data set needs its file names; use DatasetSpec.Parse(\"npy:IMAGES.npy,LABELS.npy\").", nameof(kind));
        return new DatasetSpec(kind, null, null, null, null);
    }

    /// <summary>Parses a spec (case-insensitive names; .npy paths kept as written).</summary>
    /// <exception cref="UserInputException">The spec names no known data set, or an <c>npy:</c> spec does not list two or four files.</exception>
    public static DatasetSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string text = spec.Trim();
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
            _ => throw new UserInputException($"Unknown dataset '{spec}': expected fashion-mnist, mnist, cifar10, cifar100 or npy:IMAGES.npy,LABELS.npy."),
        };
    }

    /// <summary>The spec in the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => Kind switch
    {
        DatasetKind.FashionMnist => "fashion-mnist",
        DatasetKind.Mnist => "mnist",
        DatasetKind.Cifar10 => "cifar10",
        DatasetKind.Cifar100 => "cifar100",
        _ => NpyTestImages is null
            ? $"npy:{NpyTrainImages},{NpyTrainLabels}"
            : $"npy:{NpyTrainImages},{NpyTrainLabels},{NpyTestImages},{NpyTestLabels}",
    };

    private static UserInputException BadNpy(string spec) =>
        new($"Dataset spec '{spec}' must name two .npy files (npy:IMAGES.npy,LABELS.npy) or four (npy:TRAIN_IMAGES.npy,TRAIN_LABELS.npy,TEST_IMAGES.npy,TEST_LABELS.npy).");
}
