using System.Runtime.CompilerServices;

namespace FormerSearch.Engine;

/// <summary>Up to <see cref="Tensor.MaxRank"/> sizes or strides stored inline, so a shape costs no allocation.</summary>
[InlineArray(Tensor.MaxRank)]
internal struct Dims
{
    private int _element0;
}
