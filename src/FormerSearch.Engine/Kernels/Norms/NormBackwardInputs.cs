namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>
/// What the backward of a normalisation with per-row statistics (LayerNorm, GroupNorm(1)) reads: its input
/// <see cref="X"/> and output gradient <see cref="Dy"/> as dense <c>[rows, C]</c> matrices, and the mean and 1/std its
/// forward saved, row <c>r</c>'s being entry <c>r / RowsPerStat</c> (1 for LayerNorm, where each row has its own; a
/// sample's positions for GroupNorm(1)).
/// </summary>
internal readonly record struct NormBackwardInputs(FloatSlice X, FloatSlice Dy, FloatSlice Mean, FloatSlice Rstd, int C, int RowsPerStat);
