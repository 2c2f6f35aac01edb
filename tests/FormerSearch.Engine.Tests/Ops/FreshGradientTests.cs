using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// Inside a <see cref="TensorScope"/> the first gradient of an intermediate is created unfilled and written (not
/// zero-filled and added into) by the ops that can cover it whole: binary ops, activations, linear, the normalisations
/// and depthwise convolution. The same graph
/// outside a scope takes the zero-filled path, so the leaves' gradients must agree; the pool is first filled with
/// NaN so that an element left unwritten shows.
/// </summary>
public sealed class FreshGradientTests
{
    // A constant [C, 3, 3] depthwise kernel (only the input's gradient is under test).
    private static readonly Tensor s_depthwiseWeight = TestTensors.Uniform(15, false, 8, 3, 3);

    public static TheoryData<string> Graphs => new(s_graphs.Keys);

    private static readonly Dictionary<string, Func<Tensor, Tensor, Tensor, Tensor, Tensor>> s_graphs = new()
    {
        // x [6, 8] and y [6, 8] leaves, v [8] a per-channel vector, w [5, 8] a linear weight; h = x·2 is the intermediate.
        ["h + h"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Add(h, h); },
        ["h - h·y"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Sub(h, F.Mul(h, y)); },
        ["y - h"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Sub(F.Mul(y, 1f), h); },
        ["h · h"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Mul(h, h); },
        ["h / (h + 3)"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Div(h, F.Add(h, 3f)); },
        ["h + v"] = (x, y, v, w) => F.Add(F.Mul(x, 2f), v),
        ["v + h"] = (x, y, v, w) => F.Add(v, F.Mul(x, 2f)),
        ["h · v"] = (x, y, v, w) => F.Mul(F.Mul(x, 2f), v),
        ["v · h"] = (x, y, v, w) => F.Mul(v, F.Mul(x, 2f)),
        ["h + hᵀ (a view)"] = (x, y, v, w) => { var h = F.Mul(x.Narrow(1, 0, 6), 2f); return F.Add(h, h.Transpose(0, 1)); },
        ["h[2:5] + h"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Add(h.Narrow(0, 2, 3), F.Add(h, y).Narrow(0, 0, 3)); },
        ["broadcast [6,1,8] + [1,4,8]"] = (x, y, v, w) => F.Add(F.Mul(x, 2f).Reshape(6, 1, 8), F.Mul(y, 1f).Narrow(0, 0, 4).Reshape(1, 4, 8)),
        ["gelu(h) + relu(h)"] = (x, y, v, w) => { var h = F.Mul(x, 2f); return F.Add(F.Gelu(h), F.Relu(h)); },
        ["sigmoid(h) · y"] = (x, y, v, w) => F.Mul(F.Sigmoid(F.Mul(x, 2f)), y),
        ["linear(h) with bias"] = (x, y, v, w) => F.Linear(F.Mul(x, 2f), w, v.Narrow(0, 0, 5)),
        ["batchnorm(h) · y"] = (x, y, v, w) => F.Mul(F.BatchNorm(F.Mul(x, 2f), v, null, null, null, training: true), y),
        ["batchnorm(h) written, then h · y added"] = (x, y, v, w) =>
        {
            var h = F.Mul(x, 2f);
            var z = F.Mul(h, y);
            return F.Add(F.BatchNorm(h, v, v, null, null, training: true), z);
        },
        ["layernorm(h) · y"] = (x, y, v, w) => F.Mul(F.LayerNorm(F.Mul(x, 2f), v, v), y),
        ["layernorm without affine(h) written, then h · y added"] = (x, y, v, w) =>
        {
            var h = F.Mul(x, 2f);
            var z = F.Mul(h, y);
            return F.Add(F.LayerNorm(h), z);
        },
        ["groupnorm(h) · y"] = (x, y, v, w) => F.Mul(F.GroupNorm1(F.Mul(x.Reshape(2, 3, 1, 8), 2f), v, v), y.Reshape(2, 3, 1, 8)),
        ["groupnorm(h) written, then h · y added"] = (x, y, v, w) =>
        {
            var h = F.Mul(x.Reshape(3, 1, 2, 8), 2f);
            var z = F.Mul(h, y.Reshape(3, 1, 2, 8));
            return F.Add(F.GroupNorm1(h, null, v), z);
        },
        ["depthwise 3×3(h)"] = (x, y, v, w) => F.DepthwiseConv2d(F.Mul(x.Reshape(1, 2, 3, 8), 2f), s_depthwiseWeight, null, 1, 1),
        ["depthwise 2×2 without padding(h): corners one tap covers"] = (x, y, v, w) =>
            F.DepthwiseConv2d(F.Mul(x.Reshape(1, 2, 3, 8), 2f), s_depthwiseWeight.Narrow(1, 0, 2).Narrow(2, 0, 2).Contiguous(), null, 1, 0),
        ["depthwise 1×1 stride 2(h): pixels no tap covers"] = (x, y, v, w) => F.DepthwiseConv2d(F.Mul(x.Reshape(1, 2, 3, 8), 2f), s_depthwiseWeight.Narrow(1, 1, 1).Narrow(2, 1, 1).Contiguous(), null, 2, 0),
        ["depthwise 3×3 stride 2(h) written, then Σ h² added"] = (x, y, v, w) =>
        {
            var h = F.Mul(x.Reshape(2, 3, 1, 8), 2f);
            var z = F.Sum(F.Mul(h, h));
            return F.Add(F.DepthwiseConv2d(h, s_depthwiseWeight, null, 2, 1), z);
        },
        ["residual block"] = (x, y, v, w) =>
        {
            var h = F.Gelu(F.Add(F.Mul(x, y), v));
            var z = F.Linear(h, w, null);
            return F.Add(F.Linear(z, w.Transpose(0, 1).Contiguous(), v), h);
        },
    };

    [Theory]
    [MemberData(nameof(Graphs))]
    public void ScopedGradientsEqualZeroFilledOnes(string graph)
    {
        var f = s_graphs[graph];
        var (expected, _) = Gradients(f, scoped: false);
        PoisonPool();
        var (actual, output) = Gradients(f, scoped: true);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int j = 0; j < expected[i].Length; j++)
            {
                Assert.False(float.IsNaN(actual[i][j]), $"{graph}: input {i} element {j} is NaN (an unwritten gradient element).");
                Assert.True(Math.Abs(expected[i][j] - actual[i][j]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i][j])),
                    $"{graph}: input {i} element {j}: {actual[i][j]} in a scope vs {expected[i][j]} outside.");
            }
        }
        Assert.True(output > 0);
    }

    /// <summary>The leaves' gradients of Σ f(x, y, v, w) ⊙ R, with the graph built in a scope or outside any.</summary>
    private static (float[][] Grads, int OutputSize) Gradients(Func<Tensor, Tensor, Tensor, Tensor, Tensor> f, bool scoped)
    {
        var x = TestTensors.Uniform(11, true, 6, 8);
        var y = TestTensors.Uniform(12, true, 6, 8);
        var v = TestTensors.Uniform(13, true, 8);
        var w = TestTensors.Uniform(14, true, 5, 8);
        int size;
        using (scoped ? TensorScope.Enter() : default(TensorScope?))
        {
            var output = f(x, y, v, w);
            size = output.Numel;
            var r = new float[size];
            new Generator(99).FillUniform(r, -1f, 1f);
            F.Sum(F.Mul(output, Tensor.FromArray(r, output.Shape))).Backward();
        }
        return ([x.Grad!.ToArray(), y.Grad?.ToArray() ?? [], v.Grad?.ToArray() ?? [], w.Grad?.ToArray() ?? []], size);
    }

    /// <summary>Fills pooled buffers of the sizes these graphs rent with NaN and gives them back.</summary>
    private static void PoisonPool()
    {
        var rented = new List<float[]>();
        for (int length = 16; length <= 1 << 12; length *= 2)
        {
            for (int copies = 0; copies < 16; copies++)
            {
                var buffer = BufferPool.Rent(length);
                buffer.AsSpan().Fill(float.NaN);
                rented.Add(buffer);
            }
        }
        foreach (var buffer in rented) BufferPool.Return(buffer);
    }
}
