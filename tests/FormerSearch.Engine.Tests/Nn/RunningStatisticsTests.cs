using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Nn;

public sealed class RunningStatisticsTests
{
    [Fact]
    public void A_cumulative_average_is_the_plain_mean_of_the_batch_statistics_since_the_reset()
    {
        var bn = new BatchNorm1d(3);
        var batches = Enumerable.Range(0, 4).Select(i => TestTensors.Uniform(10 + i, false, 5, 3)).ToArray();
        bn.Forward(batches[0]); // exponential statistics that the reset must forget
        bn.ResetRunningStats();
        Assert.Equal([0f, 0f, 0f], bn.RunningMean.ToArray());
        Assert.Equal(0f, bn.NumBatchesTracked.Item());

        bn.CumulativeAverage = true;
        using (TensorScope.Enter())
            foreach (var b in batches) bn.Forward(b);

        for (int c = 0; c < 3; c++)
        {
            double meanOfMeans = 0, meanOfVars = 0;
            foreach (var b in batches)
            {
                var column = Enumerable.Range(0, 5).Select(r => (double)b[r, c]).ToArray();
                double m = column.Average();
                meanOfMeans += m / batches.Length;
                meanOfVars += column.Sum(v => (v - m) * (v - m)) / 4 / batches.Length; // unbiased, as PyTorch keeps it
            }
            Assert.Equal(meanOfMeans, bn.RunningMean[c], 5);
            Assert.Equal(meanOfVars, bn.RunningVar[c], 5);
        }
        Assert.Equal(4f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void Modules_lists_the_module_and_every_descendant()
    {
        var seq = new Sequential(new BatchNorm1d(2), new Sequential(new BatchNorm1d(2), new Identity()));
        Assert.Equal(5, seq.Modules().Count());
        Assert.Equal(2, seq.Modules().OfType<IRunningStatistics>().Count());
    }
}
