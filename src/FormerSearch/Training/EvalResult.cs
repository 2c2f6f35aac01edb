namespace FormerSearch.Training;

/// <summary>Classification quality over a data set.</summary>
/// <param name="Top1">Fraction of images whose highest logit is their class.</param>
/// <param name="Top5">Fraction whose class is among the five highest logits (all when there are at most five classes).</param>
/// <param name="Loss">Mean cross-entropy (no smoothing).</param>
/// <param name="Count">Images evaluated.</param>
/// <param name="NonFinite">Images whose logits held a NaN or an infinity (counted as wrong; the loss is then NaN or infinite too).</param>
public sealed record EvalResult(double Top1, double Top5, double Loss, int Count, int NonFinite = 0)
{
    /// <summary><see cref="Loss"/> when it is a finite number, else null (JSON has no NaN or infinity).</summary>
    public double? FiniteLoss => double.IsFinite(Loss) ? Loss : null;
}
