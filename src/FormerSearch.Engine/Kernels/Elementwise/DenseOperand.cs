namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>An input read element by element (stride 1).</summary>
internal readonly struct DenseOperand : IOperand
{
    public static bool IsScalar => false;
}
