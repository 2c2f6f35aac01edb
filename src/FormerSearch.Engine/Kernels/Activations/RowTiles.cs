namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// Rows of a <c>rows × cols</c> matrix grouped into tiles of about <see cref="TileElements"/> elements (whole rows): the
/// unit an epilogue activates in one call and threads take. Tiles depend on the shape alone, so an element falls on the
/// vector or the scalar-tail path of an activation whatever the thread count, and results do not change with it.
/// </summary>
internal readonly struct RowTiles
{
    /// <summary>Elements per tile (16 KB: a tile stays in L1 between its row pass and its activation).</summary>
    public const int TileElements = 4096;

    private const int GrainElements = 1 << 14;

    private readonly int _rows, _rowsPerTile;

    /// <summary>The tiles of a <paramref name="rows"/> × <paramref name="cols"/> matrix.</summary>
    public RowTiles(int rows, int cols)
    {
        _rows = rows;
        Cols = cols;
        _rowsPerTile = Math.Max(1, TileElements / Math.Max(cols, 1));
        Count = (rows + _rowsPerTile - 1) / _rowsPerTile;
        Grain = Math.Max(1, GrainElements / (_rowsPerTile * Math.Max(cols, 1)));
    }

    /// <summary>Elements per row.</summary>
    public int Cols { get; }

    /// <summary>Number of tiles.</summary>
    public int Count { get; }

    /// <summary>Tiles per unit of parallel work (about 16K elements).</summary>
    public int Grain { get; }

    /// <summary>The first row of tile <paramref name="tile"/> and how many rows it has.</summary>
    public (int First, int Count) Rows(int tile)
    {
        int first = tile * _rowsPerTile;
        return (first, Math.Min(_rowsPerTile, _rows - first));
    }
}
