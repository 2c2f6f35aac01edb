using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled patch embedding (official <c>PatchembedSuper</c>): a patch-size convolution to at most
/// <c>MaxDim</c> channels, of which a subnet of width <c>d</c> uses the first <c>d</c> filters (a row prefix of the
/// OHWI weight, which the convolution's GEMM reads in place).
/// </summary>
public sealed class SuperPatchEmbed : Module
{
    private readonly Conv2d _proj;

    /// <summary>A <paramref name="patchSize"/>×<paramref name="patchSize"/>, stride <paramref name="patchSize"/> convolution from <paramref name="inChannels"/> to at most <paramref name="maxDim"/> channels, PyTorch's default init.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public SuperPatchEmbed(int inChannels, int maxDim, int patchSize, Generator generator)
    {
        if (inChannels < 1 || maxDim < 1 || patchSize < 1)
            throw new ArgumentException($"Invalid super patch embedding {inChannels} → {maxDim}, patch {patchSize}.");
        MaxDim = maxDim;
        PatchSize = patchSize;
        _proj = RegisterModule("proj", new Conv2d(inChannels, maxDim, patchSize, patchSize, 0, generator: generator));
    }

    /// <summary>Largest width.</summary>
    public int MaxDim { get; }

    /// <summary>Patch side and stride.</summary>
    public int PatchSize { get; }

    /// <summary>The convolution holding the largest weights (<c>proj</c>).</summary>
    public Conv2d Proj => _proj;

    /// <summary>Images <c>[B, H, W, C]</c> → patches <c>[B, H/p, W/p, <paramref name="dim"/>]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dim"/> is not in 1…<see cref="MaxDim"/>, or the images do not fit.</exception>
    public Tensor Forward(Tensor images, int dim)
    {
        if (dim < 1 || dim > MaxDim) throw new ArgumentException($"A super patch embedding of at most {MaxDim} channels cannot give {dim}.");
        return Functional.Conv2d(images, _proj.Weight.Value.Narrow(0, 0, dim), _proj.Bias!.Value.Narrow(0, 0, dim), PatchSize, 0);
    }
}
