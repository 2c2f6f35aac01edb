using FormerSearch.Engine;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>Runs an op forward and backward with a given upstream gradient, returning the output and input gradients as arrays.</summary>
internal static class ConvNormHarness
{
    public static (float[] Y, float[][] Grads) Run(Func<Tensor[], Tensor> f, Tensor[] inputs, float[] gy)
    {
        foreach (var t in inputs) t.Grad = null;
        var y = f(inputs);
        var yArr = y.ToArray();
        y.Backward(Tensor.FromArray(gy, y.Shape));
        var grads = new float[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++) grads[i] = inputs[i].Grad?.ToArray() ?? [];
        return (yArr, grads);
    }

    /// <summary>Seeded uniform values in [-1, 1).</summary>
    public static float[] Random(int seed, int count, float scale = 1f, float shift = 0f)
    {
        var a = new float[count];
        new Generator((ulong)seed).FillUniform(a, -1f, 1f);
        for (int i = 0; i < a.Length; i++) a[i] = a[i] * scale + shift;
        return a;
    }

    /// <summary>A leaf tensor over a copy of <paramref name="values"/>.</summary>
    public static Tensor Leaf(float[] values, bool requiresGrad, params int[] shape)
    {
        var t = Tensor.FromArray((float[])values.Clone(), shape);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>Runs <paramref name="compute"/> with 1 and with 2 threads.</summary>
    public static (T One, T Two) WithOneAndTwoThreads<T>(Func<T> compute)
    {
        int saved = EngineSettings.Threads;
        try
        {
            EngineSettings.Threads = 1;
            var one = compute();
            EngineSettings.Threads = 2;
            var two = compute();
            return (one, two);
        }
        finally
        {
            EngineSettings.Threads = saved;
        }
    }

    public static void AssertBitwiseEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: {expected[i]:G9} with 1 thread, {actual[i]:G9} with 2.");
    }
}
