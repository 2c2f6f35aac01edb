using System.CommandLine;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>--dataset SPEC [--data-dir DIR] [--val-size N]</c> and the image-folder options (<see cref="FolderOptions"/>), spelled
/// the same by every command that reads images.
/// </summary>
public sealed class DataOptions
{
    /// <summary>The data set.</summary>
    public Option<string> Dataset { get; }

    /// <summary>Where its files are.</summary>
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Directory of the data set's files (Fashion-MNIST default: /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist)." };

    /// <summary>Held-out training images.</summary>
    public Option<int> ValSize { get; }

    /// <summary>How image folders are read.</summary>
    public FolderOptions Folders { get; } = new();

    /// <summary>
    /// The options, with <paramref name="defaultValSize"/> held out unless told otherwise and <paramref name="defaultDataset"/> when one
    /// is implied; with <paramref name="fromModelCard"/> the data set may be left to a weights file's card (<see cref="OpenFor"/>).
    /// </summary>
    public DataOptions(int defaultValSize, string? defaultDataset = null, bool fromModelCard = false)
    {
        Dataset = new Option<string>("--dataset")
        {
            Description = "fashion-mnist | mnist | cifar10 | cifar100 | npy:IMAGES.npy,LABELS.npy[,TEST_IMAGES.npy,TEST_LABELS.npy] | folder:DIR | folder:TRAIN_DIR,TEST_DIR"
                + (fromModelCard ? " (default: the weights' model card's)" : ""),
            Required = defaultDataset is null && !fromModelCard,
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
        Folders.AddTo(command);
    }

    /// <summary>The data set given.</summary>
    /// <exception cref="UserInputException">The spec is malformed.</exception>
    public DatasetSpec Spec(ParseResult parse) => DatasetSpec.Parse(parse.GetValue(Dataset)!);

    /// <summary>
    /// Opens the training set and holds out the validation images with <paramref name="seed"/>; an image folder is decoded at
    /// <paramref name="decodeInput"/> (the model's input), its test split by default the <paramref name="trainedTestSize"/> a model was trained with.
    /// </summary>
    public DataSplits Open(ParseResult parse, ulong seed, ModelInput decodeInput, RunOptions run, int? trainedTestSize = null)
    {
        var spec = Spec(parse);
        return DataSplits.Open(spec, parse.GetValue(DataDir), CommonOptions.AtLeast(parse.GetValue(ValSize), 0, "--val-size"), seed,
            Folders.For(parse, spec, decodeInput, run, trainedTestSize));
    }

    /// <summary>
    /// Opens the data a model with <paramref name="card"/> (read from <paramref name="source"/>) is scored on, as it was trained: the
    /// data set, held-out images (<c>--val-size</c>), their seed (<paramref name="seed"/>, the <c>--seed</c> given) and an image
    /// folder's test size come from the card unless given; an image folder is decoded at <paramref name="decodeInput"/>.
    /// </summary>
    /// <exception cref="UserInputException">A value given contradicts the card's, or no data set is given and the card names none.</exception>
    public DataSplits OpenFor(ParseResult parse, Inference.ModelCard card, string source, ulong? seed, ModelInput decodeInput, RunOptions run)
    {
        string text = card.SettleDataset(parse.GetValue(Dataset), source)
            ?? throw new UserInputException($"Give the data set with --dataset SPEC: the weights {source} carry no model card naming it.");
        int? valSize = parse.GetResult(ValSize) is { Implicit: false } ? CommonOptions.AtLeast(parse.GetValue(ValSize), 0, "--val-size") : null;
        var spec = DatasetSpec.Parse(text);
        int? testSize = Inference.ModelCard.Settle("--test-size", parse.GetValue(Folders.TestSize), card.TestSize, source);
        return DataSplits.Open(spec, parse.GetValue(DataDir), Inference.ModelCard.Settle("--val-size", valSize, card.ValSize, source) ?? 0,
            Inference.ModelCard.Settle("--seed", seed, card.SplitSeed, source) ?? 0, Folders.For(parse, spec, decodeInput, run, testSize));
    }

    /// <summary>The model card of a model trained on <paramref name="splits"/> at <paramref name="input"/> (data, classes, normalisation, held-out split).</summary>
    public Inference.ModelCard Card(ParseResult parse, DataSplits splits, ModelInput input, int numClasses, ulong seed) =>
        Inference.ModelCard.ForData(splits.Train, input, numClasses, Spec(parse).ToString(), parse.GetValue(ValSize), parse.GetValue(Folders.TestSize) ?? 0, seed);
}
