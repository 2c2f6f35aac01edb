using System.CommandLine;
using FormerSearch.Data;

namespace FormerSearch.Cli.Commands;

/// <summary><c>--dataset SPEC [--data-dir DIR] [--val-size N]</c>, spelled the same by every command that reads images.</summary>
public sealed class DataOptions
{
    /// <summary>The data set.</summary>
    public Option<string> Dataset { get; }

    /// <summary>Where its files are.</summary>
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Directory of the data set's files (Fashion-MNIST default: /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist)." };

    /// <summary>Held-out training images.</summary>
    public Option<int> ValSize { get; }

    /// <summary>The options, with <paramref name="defaultValSize"/> held out unless told otherwise and <paramref name="defaultDataset"/> when one is implied.</summary>
    public DataOptions(int defaultValSize, string? defaultDataset = null)
    {
        Dataset = new Option<string>("--dataset")
        {
            Description = "fashion-mnist | mnist | cifar10 | cifar100 | npy:IMAGES.npy,LABELS.npy[,TEST_IMAGES.npy,TEST_LABELS.npy]",
            Required = defaultDataset is null,
        };
        if (defaultDataset is not null) Dataset.DefaultValueFactory = _ => defaultDataset;
        ValSize = new Option<int>("--val-size") { Description = "Training images held out (deterministically, by --seed) to validate on.", DefaultValueFactory = _ => defaultValSize };
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Dataset);
        command.Options.Add(DataDir);
        command.Options.Add(ValSize);
    }

    /// <summary>Opens the training set and holds out the validation images with <paramref name="seed"/>.</summary>
    public DataSplits Open(ParseResult parse, ulong seed) =>
        DataSplits.Open(DatasetSpec.Parse(parse.GetValue(Dataset)!), parse.GetValue(DataDir), CommonOptions.AtLeast(parse.GetValue(ValSize), 0, "--val-size"), seed);
}
