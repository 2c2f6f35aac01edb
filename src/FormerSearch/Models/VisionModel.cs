using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models;

/// <summary>
/// The surface every image classifier of the zoo exposes (timm's <c>forward_features</c> /
/// <c>forward_head</c> / <c>reset_classifier</c>). Images are channels-last float32 <c>[B, H, W, C]</c>;
/// an extracted subnet is just another <see cref="VisionModel"/>.
/// </summary>
public abstract class VisionModel : Module
{
    /// <summary>
    /// Checks <paramref name="options"/>, keeps their input size and starts <see cref="Randomness"/> from their seed: the one
    /// generator a model draws its weights (in construction order) and its dropout and drop-path masks from.
    /// </summary>
    /// <exception cref="UserInputException">The options are invalid (see <see cref="ModelOptions.Validate"/>).</exception>
    protected VisionModel(ModelOptions options)
    {
        options.Validate();
        Input = options.Input;
        Randomness = Generator = new Generator(options.Seed);
    }

    /// <summary>The input size the model was built for (its position embeddings or spatial MLPs fix it).</summary>
    public ModelInput Input { get; }

    /// <summary>
    /// The generator the model's dropout and drop-path masks come from (the one its weights were drawn from). Training
    /// saves and restores its state in checkpoints so a resumed run draws the same masks as an uninterrupted one.
    /// </summary>
    public Generator? Randomness { get; }

    /// <summary>The generator of <see cref="Randomness"/>, for the constructors that draw the weights.</summary>
    protected Generator Generator { get; }

    /// <summary>
    /// The shared skeleton the model is built around, set by its constructor, or null when the model computes its
    /// features and logits itself (then it overrides <see cref="NumClasses"/>, <see cref="ForwardFeatures"/>,
    /// <see cref="ForwardHead"/> and <see cref="ResetClassifier"/>, which otherwise go to the skeleton).
    /// </summary>
    protected IModelSkeleton? Skeleton { get; init; }

    /// <summary>Number of classifier outputs.</summary>
    public virtual int NumClasses => Built.NumClasses;

    /// <summary>Backbone output before pooling: <c>[B, H', W', C']</c> feature maps or <c>[B, N, C']</c> tokens (ViTs: the class token first), after the final norm.</summary>
    /// <exception cref="ArgumentException">The images are not <c>[B, H, W, C]</c> of <see cref="Input"/>'s size.</exception>
    public virtual Tensor ForwardFeatures(Tensor images)
    {
        CheckImages(images);
        return Built.ForwardFeatures(images);
    }

    /// <summary>Pools <see cref="ForwardFeatures"/>' output as the model does and applies the classifier: <c>[B, K]</c> logits.</summary>
    public virtual Tensor ForwardHead(Tensor features) => Built.ForwardHead(features);

    /// <summary>Logits <c>[B, K]</c> of channels-last images <c>[B, H, W, C]</c>.</summary>
    /// <exception cref="ArgumentException">The images are not <c>[B, H, W, C]</c> of <see cref="Input"/>'s size.</exception>
    public Tensor Forward(Tensor images) => ForwardHead(ForwardFeatures(images));

    /// <summary>Replaces the classifier by a freshly initialised one with <paramref name="numClasses"/> outputs (the backbone is kept).</summary>
    /// <exception cref="UserInputException"><paramref name="numClasses"/> is below 1.</exception>
    public virtual void ResetClassifier(int numClasses) => Built.ResetClassifier(numClasses);

    /// <summary>Throws unless <paramref name="images"/> is a <c>[B, H, W, C]</c> batch of this model's input size.</summary>
    /// <exception cref="ArgumentException">The shape differs.</exception>
    protected void CheckImages(Tensor images)
    {
        if (images.Rank != 4 || images.Size(1) != Input.Height || images.Size(2) != Input.Width || images.Size(3) != Input.Channels)
            throw new ArgumentException($"{GetType().Name} takes channels-last images [B, {Input.Height}, {Input.Width}, {Input.Channels}]; got {Tensor.FormatShape(images.Shape)}.");
    }

    private IModelSkeleton Built =>
        Skeleton ?? throw new InvalidOperationException($"{GetType().Name} neither sets a skeleton nor overrides the members that need one.");

    // A skeleton shared between families (ClassTokenVit) registers its parts through these: the official checkpoints
    // keep a ViT's tokens, patch embedding, blocks, norm and head at the top level of the model, not under a child.

    /// <summary>Registers <paramref name="parameter"/> of a shared skeleton as this model's own, under <paramref name="name"/>.</summary>
    internal Parameter RegisterPart(string name, Parameter parameter) => RegisterParameter(name, parameter);

    /// <summary>Registers <paramref name="module"/> of a shared skeleton as this model's child <paramref name="name"/>.</summary>
    internal T RegisterPart<T>(string name, T module) where T : Module => RegisterModule(name, module);

    /// <summary>Puts <paramref name="module"/> in place of this model's child <paramref name="name"/> (a shared skeleton's new head).</summary>
    internal T ReplacePart<T>(string name, T module) where T : Module => ReplaceModule(name, module);
}
