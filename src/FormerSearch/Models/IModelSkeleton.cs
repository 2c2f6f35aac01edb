using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>
/// A skeleton several families share (<see cref="Blocks.ClassTokenVit"/>, <see cref="Blocks.StagePyramid"/>): it holds a
/// model's stem, blocks, final norm and head, and computes its features and logits. A <see cref="VisionModel"/> built
/// around one sets <see cref="VisionModel.Skeleton"/> and writes none of the members below itself.
/// </summary>
public interface IModelSkeleton
{
    /// <summary>Classifier outputs.</summary>
    int NumClasses { get; }

    /// <summary>Images <c>[B, H, W, C]</c> (already checked against the model's input) → the normalised features before pooling.</summary>
    Tensor ForwardFeatures(Tensor images);

    /// <summary>The features pooled as the family does, through the head: <c>[B, K]</c>.</summary>
    Tensor ForwardHead(Tensor features);

    /// <summary>Replaces the head by a fresh one with <paramref name="numClasses"/> outputs, in the old one's place.</summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    void ResetClassifier(int numClasses);
}
