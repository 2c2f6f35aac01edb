using FormerSearch.Engine;

namespace FormerSearch.Training;

/// <summary>
/// A model whose first layers compute the same thing in every pass of a multi-pass step: a supernet's stem with no
/// searched choice (BurgerFormer's three 24-channel convolutions). The trainer then runs them once per step instead of
/// once per pass — the passes start from a copy of the stem's output and add their gradients into it, and one
/// backward through the stem carries the sum (the same gradient as three, up to summation order).
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
