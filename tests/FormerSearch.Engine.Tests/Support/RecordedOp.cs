using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Tests.Support;

/// <summary>
/// The values of an op as a pass that records a gradient computes them: the reference for the forward-only paths
/// (fused ops, prepacked weights) that a pass without gradient takes.
/// </summary>
public static class RecordedOp
{
    /// <summary>Runs <paramref name="op"/> with every non-null input requiring a gradient, and returns its values.</summary>
    public static float[] Values(Func<Tensor> op, params Tensor?[] inputs)
    {
        foreach (var t in inputs) if (t is not null) t.RequiresGrad = true;
        try
        {
            var y = op();
            Assert.True(y.RequiresGrad);   // recorded: the unfused path
            var values = y.ToArray();
            Tape.Clear();
            return values;
        }
        finally
        {
            foreach (var t in inputs) if (t is not null) t.RequiresGrad = false;
        }
    }
}
