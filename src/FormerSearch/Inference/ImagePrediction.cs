namespace FormerSearch.Inference;

/// <summary>The top classes predicted for one image file, most probable first.</summary>
/// <param name="File">The image file.</param>
/// <param name="Top">Class index, name and softmax probability of the top-k classes.</param>
public sealed record ImagePrediction(string File, IReadOnlyList<(int Index, string Name, float Probability)> Top);
