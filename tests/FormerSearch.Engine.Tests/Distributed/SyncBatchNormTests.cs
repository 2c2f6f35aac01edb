using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tests.Kernels;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Distributed;

/// <summary>
/// Synchronised batch norm on two ranks (in-process replicas here, MPI in the CLI tests) computes what one batch norm computes on the
/// ranks' inputs together: outputs, input gradients, the summed weight and bias gradients, and the running statistics.
/// </summary>
// With the thread-count tests: its replicas make OpenBLAS single-threaded while they run, which ReplicasTests checks is undone.
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class SyncBatchNormTests
{
    private const int C = 5;

    [Fact]
    public void Two_ranks_with_unequal_parts_compute_the_whole_batchs_outputs_gradients_and_running_statistics()
    {
        var x = TestTensors.Uniform(1, 7, 3, C);          // 7 samples of 3 positions: the ranks take 4 and 3
        var upstream = TestTensors.Uniform(2, 7, 3, C);   // dL/dy
        var whole = new BatchNorm1d(C);
        InitAffine(whole);
        var (y, dx) = ForwardBackward(whole, x, upstream);

        var parts = new (Tensor Y, Tensor Dx, BatchNorm1d Norm)[2];
        Replicas.Run(2, group =>
        {
            var norm = new BatchNorm1d(C) { SyncGroup = group };
            InitAffine(norm);
            int start = group.Rank == 0 ? 0 : 4, count = group.Rank == 0 ? 4 : 3;
            var (py, pdx) = ForwardBackward(norm, Rows(x, start, count), Rows(upstream, start, count));
            parts[group.Rank] = (py, pdx, norm);
            return 0;
        });

        AssertClose(y.ToArray(), [.. parts[0].Y.ToArray(), .. parts[1].Y.ToArray()]);
        AssertClose(dx.ToArray(), [.. parts[0].Dx.ToArray(), .. parts[1].Dx.ToArray()]);
        // Each rank keeps its own part of the affine gradients; the gradient allreduce adds them.
        AssertClose(whole.Weight.Grad!.ToArray(), Sum(parts[0].Norm.Weight.Grad!, parts[1].Norm.Weight.Grad!));
        AssertClose(whole.Bias.Grad!.ToArray(), Sum(parts[0].Norm.Bias.Grad!, parts[1].Norm.Bias.Grad!));
        foreach (var part in parts)
        {
            AssertClose(whole.RunningMean.ToArray(), part.Norm.RunningMean.ToArray());
            AssertClose(whole.RunningVar.ToArray(), part.Norm.RunningVar.ToArray()); // unbiased over all 21 positions
        }
    }

    [Fact]
    public void Without_a_group_each_rank_normalises_its_own_part()
    {
        var x = TestTensors.Uniform(3, 4, 3, C);
        var whole = new BatchNorm1d(C);
        using var _ = FormerSearch.Engine.Memory.TensorScope.Enter();
        var y = whole.Forward(x).ToArray();
        var own = new BatchNorm1d(C).Forward(Rows(x, 0, 2)).ToArray();
        Assert.Contains(Enumerable.Range(0, own.Length), i => Math.Abs(y[i] - own[i]) > 1e-2);
    }

    private static void InitAffine(BatchNorm1d norm)
    {
        new Generator(9).FillUniform(norm.Weight.Value.AsSpan(), 0.5f, 1.5f);
        new Generator(10).FillUniform(norm.Bias.Value.AsSpan(), -0.5f, 0.5f);
    }

    private static (Tensor Y, Tensor Dx) ForwardBackward(BatchNorm1d norm, Tensor input, Tensor upstream)
    {
        var x = Tensor.FromArray(input.ToArray(), input.Shape);
        x.RequiresGrad = true;
        var y = norm.Forward(x);
        Functional.Sum(Functional.Mul(y, upstream)).Backward();
        return (y.Clone(), x.Grad!.Clone());
    }

    private static Tensor Rows(Tensor t, int start, int count) => t.Narrow(0, start, count).Contiguous();

    private static float[] Sum(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray(), (p, q) => p + q).ToArray();

    private static void AssertClose(float[] expected, float[] actual) => TestTensors.AssertClose(expected, actual, 1e-5);
}
