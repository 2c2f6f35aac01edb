using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

/// <summary>A registered model: its name, family, default input, builder and analytic profile.</summary>
/// <param name="Name">Registry name (<c>poolformer_s12</c>).</param>
/// <param name="Family">Family (<c>PoolFormer</c>, <c>MetaFormer</c>, <c>DeiT</c>).</param>
/// <param name="DefaultInput">The input the published figures use.</param>
/// <param name="Create">Builds the model with fresh weights.</param>
/// <param name="Profile">Params and MACs from the configuration alone, without building the model.</param>
/// <param name="IsOfficial">True for a model an official repository defines (its parameter count is checked against it); false for our own scaled variants.</param>
public sealed record ModelEntry(string Name, string Family, ModelInput DefaultInput,
    Func<ModelOptions, VisionModel> Create, Func<ModelOptions, ModelProfile> Profile, bool IsOfficial = true);
