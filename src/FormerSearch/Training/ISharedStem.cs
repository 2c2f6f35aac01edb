using FormerSearch.Engine;

namespace FormerSearch.Training;

/// <summary>
/// A model whose first layers compute the same thing in every pass of a multi-pass step: a supernet's stem with no
/// searched choice (BurgerFormer's three 24-channel convolutions). The trainer then runs them once per step instead of
/// once per pass — its graph is recorded once and set aside, the passes start from a leaf view of its output and add
/// their gradients into it, and one backward through the stem carries the sum (the same gradient as three, up to
/// summation order). Its batch norms see the step's batch once (the official supernet, running the stem in every pass,
/// moves their running statistics once per pass, with the same batch statistics each time).
/// <c>ForwardAfterStem(ForwardStem(x))</c> is <c>Forward(x)</c>.
/// </summary>
public interface ISharedStem
{
    /// <summary>The layers every pass shares, on images <c>[B, H, W, C]</c>.</summary>
    /// <exception cref="ArgumentException">The images are not of the model's input size.</exception>
    Tensor ForwardStem(Tensor images);

    /// <summary>The active pass's logits <c>[B, K]</c> from the stem's output.</summary>
    Tensor ForwardAfterStem(Tensor stem);
}
