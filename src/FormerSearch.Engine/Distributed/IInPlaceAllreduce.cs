namespace FormerSearch.Engine.Distributed;

/// <summary>
/// A communicator whose ranks share one address space (<see cref="ThreadCommunicator"/>): it sums tensors where they lie,
/// where the others need one flat buffer that every rank copies its gradients into and back out of (a pass over every
/// gradient each way, for a sum that is itself one pass).
/// </summary>
internal interface IInPlaceAllreduce
{
    /// <summary>
    /// Replaces each of <paramref name="tensors"/> (contiguous, the same lengths in the same order on every rank) by its
    /// element-wise sum over the ranks, in rank order, times <paramref name="scale"/>: the bits of
    /// <see cref="ICommunicator.AllreduceSum"/> over their concatenation, each sum then multiplied by the scale.
    /// </summary>
    void AllreduceSumScaled(IReadOnlyList<Tensor> tensors, float scale);
}
