using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>Runs a computation with 1 and with 2 threads and returns both results.</summary>
internal static class ThreadCounts
{
    public static (float[] One, float[] Two) RunBoth(Func<float[]> compute)
    {
        int saved = ParallelRunner.Threads;
        try
        {
            ParallelRunner.Threads = 1;
            var one = compute();
            ParallelRunner.Threads = 2;
            var two = compute();
            return (one, two);
        }
        finally
        {
            ParallelRunner.Threads = saved;
        }
    }

    /// <summary>Asserts bitwise equality (NaNs compared by bits too).</summary>
    public static void AssertBitwiseEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"element {i}: {expected[i]:G9} with 1 thread, {actual[i]:G9} with 2.");
    }
}
