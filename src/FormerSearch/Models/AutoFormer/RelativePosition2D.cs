using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// AutoFormer's 2-D relative position embedding (official <c>RelativePosition2D_super</c>): for a class token
/// followed by a row-major grid of patches, the embedding of the pair (query i, key j) is
/// <c>embeddings_table_v[rowIndex] + embeddings_table_h[colIndex]</c>, where the index of a patch pair is its
/// key-minus-query row (column) distance clipped to ±max and shifted by max + 1, and any pair with the class
/// token takes index 0 of both tables. Tables are <c>[2·max + 2, headDim]</c>.
/// </summary>
public sealed class RelativePosition2D : Module
{
    private readonly Parameter _tableV;
    private readonly Parameter _tableH;
    private int _cachedTokens = -1, _cachedGridW = -1;
    private int[] _indexV = [];
    private int[] _indexH = [];

    /// <summary>Tables of <paramref name="headDim"/> channels telling apart distances up to <paramref name="maxRelativePosition"/>, initialised trunc_normal(0.02) as the official code does.</summary>
    /// <exception cref="ArgumentException">A size is negative or zero.</exception>
    public RelativePosition2D(int headDim, int maxRelativePosition, Generator generator)
    {
        if (headDim < 1 || maxRelativePosition < 0)
            throw new ArgumentException($"A relative position embedding needs a positive width and a non-negative max distance; got {headDim} and {maxRelativePosition}.");
        HeadDim = headDim;
        MaxRelativePosition = maxRelativePosition;
        // Registration order as the official state dict: the vertical table first.
        _tableV = RegisterParameter("embeddings_table_v", new Parameter(2 * maxRelativePosition + 2, headDim) { NoWeightDecay = true });
        _tableH = RegisterParameter("embeddings_table_h", new Parameter(2 * maxRelativePosition + 2, headDim) { NoWeightDecay = true });
        Init.TruncNormal(_tableV.Value, generator, std: 0.02);
        Init.TruncNormal(_tableH.Value, generator, std: 0.02);
    }

    /// <summary>Channels of each embedding.</summary>
    public int HeadDim { get; }

    /// <summary>Largest distance told apart; farther ones share the end rows.</summary>
    public int MaxRelativePosition { get; }

    /// <summary>
    /// Embeddings of every (query, key) pair of a class token plus a grid <paramref name="gridW"/> patches wide:
    /// <c>[N, N, HeadDim]</c> with <c>N = 1 + <paramref name="patches"/></c>. The official code takes the grid width
    /// as <c>⌊√patches⌋</c>; that is <paramref name="gridW"/> on the square grids it was trained on.
    /// </summary>
    /// <exception cref="ArgumentException">The patches do not fill whole rows of <paramref name="gridW"/>.</exception>
    public Tensor Forward(int patches, int gridW)
    {
        if (gridW < 1 || patches < 1 || patches % gridW != 0)
            throw new ArgumentException($"{patches} patches do not fill rows {gridW} wide.");
        int n = patches + 1;
        if (n != _cachedTokens || gridW != _cachedGridW) BuildIndices(patches, gridW);
        return Functional.Add(Functional.Embedding(_indexV, _tableV.Value, [n, n]), Functional.Embedding(_indexH, _tableH.Value, [n, n]));
    }

    /// <summary>The table rows of every pair, row-major over (query, key); cached per grid since the model sees one size.</summary>
    private void BuildIndices(int patches, int gridW)
    {
        int n = patches + 1, max = MaxRelativePosition;
        var v = new int[n * n];
        var h = new int[n * n];
        for (int q = 0; q < patches; q++)
        {
            for (int k = 0; k < patches; k++)
            {
                int at = (q + 1) * n + k + 1;
                v[at] = Math.Clamp(k / gridW - q / gridW, -max, max) + max + 1;
                h[at] = Math.Clamp(k % gridW - q % gridW, -max, max) + max + 1;
            }
        }
        _indexV = v;
        _indexH = h;
        _cachedTokens = n;
        _cachedGridW = gridW;
    }
}
