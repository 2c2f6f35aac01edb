namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>The arithmetic of a two-operand elementwise op.</summary>
internal enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
}
