using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// A supernet module of which the active subnet uses only some children — one alternative of several (a head split, a
/// norm, an op), or the first blocks of a stage — listed in the order the standalone model holds their counterparts.
/// </summary>
public interface IActiveChildren
{
    /// <summary>The children the active subnet runs, with their names in this module.</summary>
    IEnumerable<(string Name, Module Module)> ActiveChildren();
}
