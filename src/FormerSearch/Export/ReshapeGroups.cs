namespace FormerSearch.Export;

/// <summary>
/// A reshape seen as runs of input dimensions that become runs of output dimensions with the same number of elements
/// (<c>[B, H, W, C] → [B, H·W, C]</c> is <c>(B)(H, W)(C) → (B)(H·W)(C)</c>). A size-1 dimension that appears or
/// disappears is a run of its own with nothing on the other side. The runs tell whether a reshape can be done in a
/// permuted layout (each input run must be consecutive and in order there) and where the batch goes.
/// </summary>
internal sealed class ReshapeGroups
{
    private readonly List<(int InStart, int InEnd, int OutStart, int OutEnd)> _runs = [];

    private ReshapeGroups() { }

    /// <summary>The runs, in engine order: input dimensions <c>[InStart, InEnd)</c> become output dimensions <c>[OutStart, OutEnd)</c>.</summary>
    public IReadOnlyList<(int InStart, int InEnd, int OutStart, int OutEnd)> Runs => _runs;

    /// <summary>The runs of a reshape from <paramref name="input"/> to <paramref name="output"/> (the same element count).</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public static ReshapeGroups Of(ReadOnlySpan<int> input, ReadOnlySpan<int> output)
    {
        var groups = new ReshapeGroups();
        int i = 0, j = 0;
        while (i < input.Length || j < output.Length)
        {
            bool inOne = i < input.Length && input[i] == 1, outOne = j < output.Length && output[j] == 1;
            if (inOne || outOne || i == input.Length || j == output.Length)
            {
                if (!(inOne || outOne)) throw new ArgumentException($"Cannot reshape {Engine.Tensor.FormatShape(input)} to {Engine.Tensor.FormatShape(output)}.");
                int inEnd = inOne ? i + 1 : i, outEnd = outOne ? j + 1 : j;
                groups._runs.Add((i, inEnd, j, outEnd));
                (i, j) = (inEnd, outEnd);
                continue;
            }
            long a = input[i], b = output[j];
            int ie = i + 1, je = j + 1;
            while (a != b)
            {
                if (a < b && ie < input.Length) a *= input[ie++];
                else if (b < a && je < output.Length) b *= output[je++];
                else throw new ArgumentException($"Cannot reshape {Engine.Tensor.FormatShape(input)} to {Engine.Tensor.FormatShape(output)}.");
            }
            groups._runs.Add((i, ie, j, je));
            (i, j) = (ie, je);
        }
        return groups;
    }

    /// <summary>
    /// The output dimension that carries the batch when input dimension <paramref name="inputBatchDim"/> does: the first
    /// output dimension of its run that is not 1 (a batch split off a merged one is always the outer part).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch dimension vanishes.</exception>
    public int OutputBatchDim(int inputBatchDim, ReadOnlySpan<int> output)
    {
        foreach (var run in _runs)
        {
            if (inputBatchDim < run.InStart || inputBatchDim >= run.InEnd) continue;
            for (int d = run.OutStart; d < run.OutEnd; d++)
                if (output[d] != 1) return d;
        }
        throw new InvalidOperationException("A reshape of the traced forward drops the batch dimension.");
    }

    /// <summary>
    /// The output layout when the reshape is done on a value held in layout <paramref name="perm"/>: each run's output
    /// dimensions take the place of its input dimensions. Null when an input run is not consecutive and in order in
    /// that layout (the value must then be put in engine order first).
    /// </summary>
    public int[]? OutputLayout(int[] perm)
    {
        var position = Layouts.Inverse(perm);
        var keyed = new List<(double Key, int Run)>(_runs.Count);
        double lastKey = -1;
        for (int r = 0; r < _runs.Count; r++)
        {
            var (inStart, inEnd, _, _) = _runs[r];
            if (inEnd == inStart)
            {
                // A new size-1 dimension: just after the run before it in engine order.
                keyed.Add((lastKey + 0.5 / (_runs.Count + 1) * (r + 1), r));
                continue;
            }
            for (int d = inStart + 1; d < inEnd; d++)
                if (position[d] != position[d - 1] + 1) return null;
            lastKey = position[inStart];
            keyed.Add((lastKey, r));
        }
        keyed.Sort((x, y) => x.Key.CompareTo(y.Key));
        var layout = new List<int>();
        foreach (var (_, r) in keyed)
            for (int d = _runs[r].OutStart; d < _runs[r].OutEnd; d++) layout.Add(d);
        return [.. layout];
    }
}
