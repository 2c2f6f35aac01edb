using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The linear classifier every model of the zoo ends in (the official <c>head</c>): <c>in → classes</c>, weight drawn
/// from trunc_normal(0.02) and bias zero, as timm's and the official codebases' <c>_init_weights</c> leave it.
/// </summary>
public static class ClassifierHead
{
    /// <summary>
    /// A fresh head of <paramref name="inFeatures"/> → <paramref name="numClasses"/> drawn from <paramref name="generator"/>:
    /// PyTorch's default draw first (the <see cref="Linear"/> constructor's, as <c>nn.Linear</c>'s), then trunc_normal over
    /// it, so a head takes the same draws as every other linear layer of the zoo.
    /// </summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public static Linear Create(int inFeatures, int numClasses, Generator generator)
    {
        CheckClasses(numClasses);
        var head = new Linear(inFeatures, numClasses, generator);
        Layers.TruncNormalInit(head, generator);
        return head;
    }

    /// <summary>Throws unless <paramref name="numClasses"/> can be a classifier's output count (for heads built another way, such as a supernet's sliceable one).</summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public static void CheckClasses(int numClasses)
    {
        if (numClasses < 1) throw new UserInputException($"The number of classes must be at least 1; got {numClasses}.");
    }
}
