using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Kernels;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// The residual update <c>x + s ⊙ (a − b)</c> as one recorded op (<see cref="Functional.ScaledResidual"/> with a
/// gradient): its gradients against finite differences and against the subtraction, product and addition it stands
/// for (written into fresh gradients and added into existing ones), inputs that are one tensor or views of one (one
/// gradient buffer written by one pass), and the same bits for 1 and 2 threads over many rows (the layer scale's sums in
/// chunks).
/// </summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class ScaledResidualTests
{
    public static TheoryData<bool, bool> Variants() => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gradients_match_finite_differences(bool subtrahend, bool scaled)
    {
        var inputs = new List<Tensor> { TestTensors.Uniform(1, true, 2, 3, 37), TestTensors.Uniform(2, true, 2, 3, 37) };
        if (subtrahend) inputs.Add(TestTensors.Uniform(3, true, 2, 3, 37));
        if (scaled) inputs.Add(TestTensors.Uniform(4, true, 37));
        GradCheck.Check(t => Residual(t, subtrahend, scaled), [.. inputs], tolerance: 2e-3);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gradients_match_the_ops_it_stands_for_written_and_added(bool subtrahend, bool scaled)
    {
        // 70 rows of 88: whole chunks of rows and a part; four vectors at a time, one, and a tail.
        int[] shape = [2, 35, 88];
        var probe = TestTensors.Uniform(9, shape);
        float[][] Grads(Func<Tensor[], Tensor> f)
        {
            var t = new[] { TestTensors.Uniform(5, true, shape), TestTensors.Uniform(6, true, shape), TestTensors.Uniform(7, true, shape), TestTensors.Uniform(8, true, 88) };
            // Twice: the first backward writes fresh gradients, the second adds into them.
            for (int pass = 0; pass < 2; pass++) Functional.Sum(Functional.Mul(f(t), probe)).Backward();
            return [t[0].Grad!.ToArray(), t[1].Grad!.ToArray(), subtrahend ? t[2].Grad!.ToArray() : [], scaled ? t[3].Grad!.ToArray() : []];
        }

        var fused = Grads(t => Residual([t[0], t[1], .. subtrahend ? new[] { t[2] } : [], .. scaled ? new[] { t[3] } : []], subtrahend, scaled));
        var unfused = Grads(t =>
        {
            var branch = subtrahend ? Functional.Sub(t[1], t[2]) : t[1];
            return Functional.Add(t[0], scaled ? Functional.Mul(branch, t[3]) : branch);
        });
        for (int i = 0; i < 4; i++) TestTensors.AssertClose(unfused[i], fused[i], 1e-5, $"gradient {i}");
        Assert.Contains(fused[0], g => g != 0f);
    }

    [Fact]
    public void Inputs_that_are_one_tensor_or_its_views_get_every_gradient()
    {
        // h + s ⊙ (a − h), h an op's output in a scope: its gradient is created fresh and written as x's, then b's (the same
        // buffer) is subtracted from it: dh = 1 − s.
        var x = TestTensors.Uniform(11, true, 4, 16);
        var a = TestTensors.Uniform(12, true, 4, 16);
        var s = TestTensors.Uniform(13, true, 16);
        using (TensorScope.Enter())
        {
            GradCheck.Check(t =>
            {
                var h = Functional.Add(t[0], 0.5f);
                return Functional.ScaledResidual(h, t[1], h, t[2]);
            }, [x, a, s], tolerance: 2e-3);
            GradCheck.Check(t =>
            {
                var h = Functional.Add(t[1], 0.5f);
                return Functional.ScaledResidual(t[0], h, h, t[2]);
            }, [x, a, s], tolerance: 2e-3);
        }
        // Overlapping rows of one tensor: their gradients are views of one buffer, added into.
        var rows = TestTensors.Uniform(14, true, 5, 16);
        GradCheck.Check(t => Functional.ScaledResidual(t[0].Narrow(0, 0, 4), t[0].Narrow(0, 1, 4), null, t[1]), [rows, s], tolerance: 2e-3);
        // x + x through a view of it: dx = 2.
        GradCheck.Check(t => Functional.ScaledResidual(t[0], t[0].Reshape(4, 16), null, null), [x], tolerance: 2e-3);
    }

    [Fact]
    public void Forward_and_gradients_give_the_same_bits_for_one_and_two_threads()
    {
        int[] shape = [8, 300, 96];
        var probe = TestTensors.Uniform(20, shape);
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            var t = new[] { TestTensors.Uniform(21, true, shape), TestTensors.Uniform(22, true, shape), TestTensors.Uniform(23, true, shape), TestTensors.Uniform(24, true, 96) };
            var y = Residual(t, subtrahend: true, scaled: true);
            float[] values = y.ToArray();
            Functional.Sum(Functional.Mul(y, probe)).Backward();
            return [.. values, .. t[0].Grad!.ToArray(), .. t[1].Grad!.ToArray(), .. t[2].Grad!.ToArray(), .. t[3].Grad!.ToArray()];
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public void With_a_gradient_it_is_one_recorded_op()
    {
        var t = new[] { TestTensors.Uniform(30, true, 3, 8), TestTensors.Uniform(31, true, 3, 8), TestTensors.Uniform(32, true, 3, 8), TestTensors.Uniform(33, true, 8) };
        int before = Tape.Count;
        Residual(t, subtrahend: true, scaled: true);
        Assert.Equal(before + 1, Tape.Count);
        Tape.Clear();
    }

    private static Tensor Residual(Tensor[] t, bool subtrahend, bool scaled)
    {
        // t is x, a, then b and s when present.
        var b = subtrahend ? t[2] : null;
        var s = scaled ? t[^1] : null;
        return Functional.ScaledResidual(t[0], t[1], b, s);
    }
}
