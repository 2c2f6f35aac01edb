namespace FormerSearch.Supernets.Layers;

/// <summary>The shape in which a <see cref="SlicedLinear"/> holds its weight, which is its name's layout in the state dict.</summary>
public enum LinearWeightLayout
{
    /// <summary><c>[out, in]</c>, an <c>nn.Linear</c>.</summary>
    Linear,

    /// <summary><c>[out, in]</c> saved as <c>[out, in, 1, 1]</c>, a channels-last 1×1 <c>nn.Conv2d</c>.</summary>
    Conv1x1,

    /// <summary><c>[out, in, 1]</c>, a pointwise <c>nn.Conv1d</c>.</summary>
    Conv1d,
}
