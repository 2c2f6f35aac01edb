namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>An input that is one value repeated for every element (stride 0).</summary>
internal readonly struct ScalarOperand : IOperand
{
    public static bool IsScalar => true;
}
