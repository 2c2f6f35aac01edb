using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The MetaFormer baselines' "spatial FC" token mixer: one bias-free <c>N×N</c> linear map across the
/// <c>N = H·W</c> positions, shared by all channels (<c>fc.weight</c> <c>[N, N]</c>). On channels-last
/// <c>[B, N, C]</c> that is <c>W·x</c> per sample, one batched GEMM with no transposes. BurgerFormer's
/// <c>spatial_mlp</c> is the same map with a bias (<c>fc.bias</c> <c>[N]</c>, one per output position).
/// </summary>
public sealed class SpatialFc : Layer
{
    private readonly Linear _fc;

    /// <summary>A spatial FC for <paramref name="height"/>×<paramref name="width"/> maps, with a per-position bias when <paramref name="bias"/>.</summary>
    /// <exception cref="ArgumentException">A side is not positive.</exception>
    public SpatialFc(int height, int width, Generator generator, bool bias = false)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"A spatial FC needs a positive map size; got {height}×{width}.");
        Height = height;
        Width = width;
        _fc = RegisterModule("fc", new Linear(height * width, height * width, generator, bias));
    }

    /// <summary>Map height it was built for.</summary>
    public int Height { get; }

    /// <summary>Map width it was built for.</summary>
    public int Width { get; }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    /// <exception cref="ArgumentException">The map is not <see cref="Height"/>×<see cref="Width"/>.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != Height || x.Size(2) != Width)
            throw new ArgumentException($"This spatial FC was built for [B, {Height}, {Width}, C] maps; got {Tensor.FormatShape(x.Shape)}.");
        var tokens = x.Contiguous().Reshape(x.Size(0), Height * Width, x.Size(3));     // [B, N, C]
        var y = Functional.MatMul(_fc.Weight.Value, tokens);                          // W[N, N] · x[b] for each b
        if (_fc.Bias is not null) y = Functional.Add(y, _fc.Bias.Value.Reshape(Height * Width, 1));   // bias[n] on every channel of position n
        return y.Reshape(x.Shape);
    }
}
