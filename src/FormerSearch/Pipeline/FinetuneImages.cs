namespace FormerSearch.Pipeline;

/// <summary>Which training images the search's best subnet is fine-tuned on.</summary>
public enum FinetuneImages
{
    /// <summary>The training images less the held-out ones, so the held-out score after fine-tuning stays an unseen-data score.</summary>
    Train,

    /// <summary>
    /// Every training image, the held-out ones included: once the search has chosen, the held-out images have done their
    /// job, and the final model is trained on the whole training set (as the papers retrain found architectures on all of
    /// ImageNet's training images). No held-out score is reported after it; the test images stay unseen.
    /// </summary>
    All,
}
