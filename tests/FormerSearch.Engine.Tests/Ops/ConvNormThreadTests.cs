using FormerSearch.Engine;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Tests.Support;
using static FormerSearch.Engine.Tests.Ops.ConvNormHarness;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// Forward outputs and all gradients (including the deterministic weight/bias/statistics reductions)
/// are bit-identical with 1 and 2 threads, on shapes large enough to split into many ranges and chunks.
/// </summary>
[Collection(ConvNormThreadsCollection.Name)]
public sealed class ConvNormThreadTests
{
    public static IEnumerable<object[]> Ops()
    {
        yield return ["LayerNorm"];
        yield return ["GroupNorm1"];
        yield return ["BatchNormTrain"];
        yield return ["BatchNormEval"];
        yield return ["Conv2d"];
        yield return ["Conv2dTiled"];
        yield return ["Conv2dGroups"];
        yield return ["Conv2dPointwise"];
        yield return ["DepthwiseConv2d"];
        yield return ["DepthwiseConv2dStride2"];
        yield return ["DepthwiseConv1d"];
        yield return ["AvgPool3x3"];
        yield return ["AvgPoolStride2"];
        yield return ["GlobalAvgPool"];
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void OneAndTwoThreadsAgreeBitwise(string op)
    {
        // GEMM-based convolutions are checked with the managed GEMM, the provider that promises bit-identical
        // results across thread counts (OpenBLAS does not: its threaded and single-thread paths round differently).
        var saved = Gemm.Default;
        if (op.StartsWith("Conv2d", StringComparison.Ordinal)) Gemm.Default = Gemm.Managed;
        try
        {
            var (one, two) = WithOneAndTwoThreads(() => Compute(op));
            Assert.Equal(one.Length, two.Length);
            for (int i = 0; i < one.Length; i++) AssertBitwiseEqual(one[i], two[i], $"{op} result {i}");
        }
        finally
        {
            Gemm.Default = saved;
        }
    }

    private static float[][] Compute(string op)
    {
        const int b = 4, h = 14, w = 13, c = 37;
        var x = TestTensors.Uniform(1, true, b, h, w, c);
        var weight = TestTensors.Uniform(2, true, c);
        var bias = TestTensors.Uniform(3, true, c);
        Tensor[] inputs;
        Func<Tensor[], Tensor> f;
        switch (op)
        {
            case "LayerNorm": inputs = [x, weight, bias]; f = t => Functional.LayerNorm(t[0], t[1], t[2]); break;
            case "GroupNorm1": inputs = [x, weight, bias]; f = t => Functional.GroupNorm1(t[0], t[1], t[2]); break;
            case "BatchNormTrain":
            {
                var rm = Tensor.Zeros(c);
                var rv = Tensor.Ones(c);
                inputs = [x, weight, bias];
                f = t => Functional.BatchNorm(t[0], t[1], t[2], rm, rv, training: true);
                var r = ConvNormHarness.Run(f, inputs, Gy(f, inputs));
                return [r.Y, .. r.Grads, rm.ToArray(), rv.ToArray()];
            }
            case "BatchNormEval":
            {
                var rm = TestTensors.Uniform(4, c);
                var rv = Tensor.Full(0.7f, c);
                inputs = [x, weight, bias];
                f = t => Functional.BatchNorm(t[0], t[1], t[2], rm, rv, training: false);
                break;
            }
            case "Conv2d": inputs = [x, TestTensors.Uniform(5, true, 24, 3, 3, c), TestTensors.Uniform(6, true, 24)]; f = t => Functional.Conv2d(t[0], t[1], t[2], 2, 1); break;
            // Stride 1 on 14×13 makes the column matrix large enough to run tile by tile, on a prefix of a wider weight.
            case "Conv2dTiled": inputs = [x, TestTensors.Uniform(5, true, 30, 3, 3, c), TestTensors.Uniform(6, true, 24)]; f = t => Functional.Conv2d(t[0], t[1].Narrow(0, 0, 24), t[2], 1, 1); break;
            case "Conv2dGroups": inputs = [x.Narrow(3, 0, 36), TestTensors.Uniform(5, true, 8, 3, 3, 9), TestTensors.Uniform(6, true, 8)]; f = t => Functional.Conv2d(t[0], t[1], t[2], 1, 1, 4); break;
            case "Conv2dPointwise": inputs = [x, TestTensors.Uniform(5, true, 20, 1, 1, c), TestTensors.Uniform(6, true, 20)]; f = t => Functional.Conv2d(t[0], t[1], t[2]); break;
            case "DepthwiseConv2d": inputs = [x, TestTensors.Uniform(5, true, c, 7, 7), bias]; f = t => Functional.DepthwiseConv2d(t[0], t[1], t[2], 1, 3); break;
            // Stride 2 takes the general (gather) input-gradient path rather than the flipped-kernel one.
            case "DepthwiseConv2dStride2": inputs = [x, TestTensors.Uniform(5, true, c, 3, 3), bias]; f = t => Functional.DepthwiseConv2d(t[0], t[1], t[2], 2, 1); break;
            case "DepthwiseConv1d": inputs = [TestTensors.Uniform(1, true, b, 150, c), TestTensors.Uniform(5, true, c, 45), bias]; f = t => Functional.DepthwiseConv1d(t[0], t[1], t[2]); break;
            case "AvgPool3x3": inputs = [x]; f = t => Functional.AvgPool3x3(t[0]); break;
            case "AvgPoolStride2": inputs = [x]; f = t => Functional.AvgPool2d(t[0], (3, 3), (2, 2), (1, 1), true); break;
            case "GlobalAvgPool": inputs = [x]; f = t => Functional.GlobalAvgPool(t[0]); break;
            default: throw new ArgumentException(op);
        }
        var result = ConvNormHarness.Run(f, inputs, Gy(f, inputs));
        return [result.Y, .. result.Grads];
    }

    private static float[] Gy(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        int n;
        using (Engine.Autograd.Tape.NoGrad()) n = f(inputs).Numel;
        return Random(99, n);
    }
}
