using System.CommandLine;
using FormerSearch.Data;
using FormerSearch.Inference;
using FormerSearch.Supernets;

namespace FormerSearch.Cli.Commands;

/// <summary>The data a trained supernet was trained on, reopened by the commands that use the supernet (eval, extract, rank-study).</summary>
public static class SupernetData
{
    /// <summary>
    /// The model card <c>supernet train</c> (or <c>search</c>) wrote into the supernet's weights: its classes, normalisation and
    /// held-out split (an empty card for a supernet trained before cards were written).
    /// </summary>
    public static ModelCard Card(SupernetDirectory folder) => File.Exists(folder.WeightsPath) ? ModelCard.Read(folder.WeightsPath) : new ModelCard();

    /// <summary>
    /// The supernet's data set (or <paramref name="dataset"/>) split as it was: its held-out size and seed, an image folder
    /// decoded at its input with the test size its card recorded unless <c>--test-size</c> says otherwise.
    /// </summary>
    public static DataSplits Open(SupernetDirectory folder, string? dataset, string? dataDir, FolderOptions folders, ParseResult parse, RunOptions run)
    {
        var spec = DatasetSpec.Parse(dataset ?? folder.Dataset);
        return DataSplits.Open(spec, dataDir, folder.ValSize, folder.Seed, folders.For(parse, spec, folder.Input, run, Card(folder).TestSize));
    }
}
