using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets.Glit;

/// <summary>A GLiT block's token mixer in the supernet: one <see cref="GlitSuperGlobalLocal"/> per head split, named <c>g{g}l{l}</c>; the active split alone runs.</summary>
public sealed class GlitSuperMixer : Module
{
    private readonly GlitSuperGlobalLocal[] _splits;

    /// <summary>The alternatives of a block of <paramref name="settings"/>' width and heads.</summary>
    public GlitSuperMixer(GlitSpaceSettings settings, Generator generator)
    {
        int h = settings.NumHeads;
        _splits = new GlitSuperGlobalLocal[h + 1];
        for (int g = 0; g <= h; g++)
        {
            _splits[g] = RegisterModule($"g{g}l{h - g}", new GlitSuperGlobalLocal(settings.HeadDim, g, h - g,
                settings.GlobalExpansions[^1], settings.LocalExpansions[^1], settings.Kernels[^1], generator));
        }
    }

    /// <summary>The alternative with <paramref name="globalHeads"/> global heads.</summary>
    public GlitSuperGlobalLocal Split(int globalHeads) => _splits[globalHeads];
}
