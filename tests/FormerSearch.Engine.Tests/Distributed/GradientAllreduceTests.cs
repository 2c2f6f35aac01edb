using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tests.Kernels;

namespace FormerSearch.Engine.Tests.Distributed;

/// <summary>
/// The gradient sum of data-parallel training (<see cref="GradientAllreduce"/>): every rank ends with the rank-order sum
/// times the scale, bit for bit, also for the gradients it leaves out of the big allreduce because they are zero on
/// every rank — and only for those (a gradient zero on one rank alone, or holding a −0, is summed as before).
/// </summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class GradientAllreduceTests
{
    private const int Ranks = 2, Length = 37;

    [Fact]
    public void Every_rank_gets_the_scaled_sum_including_the_gradients_left_out()
    {
        // Per parameter: nonzero on both ranks; zero on rank 0 only; zero on both; −0 in one element of rank 0, else zero.
        float Value(int parameter, int rank, int i) => (parameter, rank) switch
        {
            (0, _) => (i % 5) - 1.7f + rank * 0.3f,
            (1, 0) => 0f,
            (1, _) => i * 0.01f - 0.2f,
            (3, 0) when i == 4 => -0f,
            _ => 0f,
        };
        float[] rows = [24f, 40f];
        float scale = 1f / (rows[0] + rows[1]);

        var results = Replicas.Run(Ranks, world =>
        {
            var parameters = Enumerable.Range(0, 4).Select(p =>
            {
                var parameter = new Parameter(Length);
                parameter.Value.Grad = Tensor.FromArray(Enumerable.Range(0, Length).Select(i => Value(p, world.Rank, i)).ToArray(), Length);
                return parameter;
            }).ToList();
            Span<float> extras = [rows[world.Rank], 1f];
            new GradientAllreduce(world).Reduce(parameters, extras, sums => 1f / sums[0]);
            Assert.Equal(rows.Sum(), extras[0]);
            Assert.Equal(2f, extras[1]);
            return parameters.Select(p => p.Grad!.ToArray()).ToArray();
        });

        for (int p = 0; p < 4; p++)
        {
            var expected = Enumerable.Range(0, Length).Select(i => (Value(p, 0, i) + Value(p, 1, i)) * scale).ToArray();
            for (int r = 0; r < Ranks; r++)
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), results[r][p].Select(BitConverter.SingleToInt32Bits));
        }
        Assert.All(results[0][2], v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void In_process_ranks_sum_in_place_the_bits_of_the_flat_buffer(int ranks)
    {
        // Lengths that cut the ranks' shares inside tensors and leave some tensors wholly in one share.
        int[] lengths = [1, 37, 5, 64, 3, 100];
        float[] Values(int rank, int parameter) =>
            Enumerable.Range(0, lengths[parameter]).Select(i => MathF.Sin(rank * 7.1f + parameter * 3.3f + i * 0.9f) * (parameter + 1)).ToArray();
        float[][][] Sums(Func<ICommunicator, ICommunicator> wrap) => Replicas.Run(ranks, world =>
        {
            var parameters = Enumerable.Range(0, lengths.Length).Select(p =>
            {
                var parameter = new Parameter(lengths[p]);
                parameter.Value.Grad = Tensor.FromArray(Values(world.Rank, p), lengths[p]);
                return parameter;
            }).ToList();
            Span<float> extras = [3f];
            new GradientAllreduce(wrap(world)).Reduce(parameters, extras, sums => 1f / sums[0]);
            return parameters.Select(p => p.Grad!.ToArray()).ToArray();
        });

        var inPlace = Sums(world => world);
        var flat = Sums(world => new FlatOnly(world));
        float scale = 1f / (3f * ranks);
        for (int p = 0; p < lengths.Length; p++)
        {
            var expected = new float[lengths[p]];
            for (int r = 0; r < ranks; r++)
            {
                var v = Values(r, p);
                for (int i = 0; i < v.Length; i++) expected[i] = r == 0 ? v[i] : expected[i] + v[i];
            }
            var bits = expected.Select(v => BitConverter.SingleToInt32Bits(v * scale)).ToArray();
            for (int r = 0; r < ranks; r++)
            {
                Assert.Equal(bits, inPlace[r][p].Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(bits, flat[r][p].Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    /// <summary>A communicator as an MPI one is: the collectives of <see cref="ICommunicator"/> only, over one flat buffer.</summary>
    private sealed class FlatOnly(ICommunicator inner) : ICommunicator
    {
        public int Rank => inner.Rank;

        public int Size => inner.Size;

        public void AllreduceSum(Span<float> values) => inner.AllreduceSum(values);

        public void Broadcast(Span<float> values, int root) => inner.Broadcast(values, root);

        public void Barrier() => inner.Barrier();
    }

    [Fact]
    public void A_step_whose_gradients_are_all_zero_still_sums_the_extras()
    {
        var results = Replicas.Run(Ranks, world =>
        {
            var parameter = new Parameter(Length);
            parameter.Value.Grad = Tensor.Zeros(Length);
            Span<float> extras = [world.Rank + 1f];
            new GradientAllreduce(world).Reduce([parameter], extras, sums => 1f / sums[0]);
            return (Extra: extras[0], Grad: parameter.Grad!.ToArray());
        });
        Assert.All(results, r => Assert.Equal(3f, r.Extra));
        Assert.All(results, r => Assert.All(r.Grad, v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v))));
    }
}
