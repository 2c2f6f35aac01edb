using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class BroadcastReduceLengthTests
{
    [Fact]
    public void RowSumsAndColumnSumsForEveryLength()
    {
        for (int n = 0; n <= 256; n++)
        {
            var src = new float[3 * n];
            new Generator((ulong)n).FillUniform(src, -1f, 1f);
            var rows = new float[3];
            BroadcastReduce.SumInto(src, [3, n], rows, [3, 1]);
            var cols = new float[n];
            BroadcastReduce.SumInto(src, [3, n], cols, [n]);
            for (int r = 0; r < 3; r++)
            {
                double e = 0;
                for (int i = 0; i < n; i++) e += src[r * n + i];
                Assert.True(Math.Abs(e - rows[r]) <= 1e-5 * (1 + Math.Abs(e)), $"n={n} row {r}");
            }
            for (int i = 0; i < n; i++)
                Assert.Equal(src[i] + src[n + i] + src[2 * n + i], cols[i]);
        }
    }
}
