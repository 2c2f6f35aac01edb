namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>The algorithmic reference every fast GEMM is tested against: three loops, double accumulation.</summary>
public sealed class NaiveGemm : IGemmProvider
{
    public static readonly NaiveGemm Instance = new();

    public string Name => "naive";

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                ref float cij = ref c[i * ldc + j];
                cij = beta == 0 ? (float)(alpha * sum) : (float)(alpha * sum + beta * cij);
            }
        }
    }
}
