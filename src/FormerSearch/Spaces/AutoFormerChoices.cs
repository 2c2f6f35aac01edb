namespace FormerSearch.Spaces;

/// <summary>The choices of an <see cref="AutoFormerSpace"/>, by name and value type.</summary>
public static class AutoFormerChoices
{
    /// <summary>The number of layers.</summary>
    public static ChoiceKey<int> Depth { get; } = ChoiceKey.Integer("depth");

    /// <summary>The token width of every layer.</summary>
    public static ChoiceKey<int> EmbedDim { get; } = ChoiceKey.Integer("embed_dim");

    /// <summary>Layer <paramref name="layer"/>'s MLP ratio: <c>layer{i}.mlp_ratio</c>.</summary>
    public static ChoiceKey<float> MlpRatio(int layer) => ChoiceKey.Number($"layer{layer}.mlp_ratio");

    /// <summary>Layer <paramref name="layer"/>'s head count: <c>layer{i}.heads</c>.</summary>
    public static ChoiceKey<int> Heads(int layer) => ChoiceKey.Integer($"layer{layer}.heads");
}
