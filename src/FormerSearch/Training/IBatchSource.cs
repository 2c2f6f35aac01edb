namespace FormerSearch.Training;

/// <summary>
/// Batches for training or evaluation, by epoch. The content of batch <c>i</c> of epoch <c>e</c> depends only on the
/// source's seed, <c>e</c> and <c>i</c> — never on timing or threads — which is what lets a resumed run continue
/// bit-exactly from <c>(e, i)</c>.
/// </summary>
public interface IBatchSource
{
    /// <summary>Batches in one epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>Images in one epoch (what the batches hold together).</summary>
    int Count { get; }

    /// <summary>Batches <paramref name="startBatch"/>… of epoch <paramref name="epoch"/>, in order.</summary>
    IEnumerable<TrainingBatch> Epoch(int epoch, int startBatch = 0);

    /// <summary>
    /// The same epochs and batches, each batch cut to the part rank <paramref name="rank"/> of <paramref name="ranks"/> takes in
    /// data-parallel training (<see cref="Data.BatchSlice"/>): that part of the global batch, whatever the rank count.
    /// <see cref="BatchesPerEpoch"/> and <see cref="Count"/> stay the global ones.
    /// </summary>
    /// <exception cref="NotSupportedException">This source cannot be cut (the default, for more than one rank).</exception>
    IBatchSource ForRank(int rank, int ranks) =>
        ranks == 1 ? this : throw new NotSupportedException($"{GetType().Name} cannot be shared between ranks.");
}
