namespace FormerSearch.Pipeline;

/// <summary>What each candidate <c>former search --rerank-top</c> re-ranks starts its training from.</summary>
public enum RerankStart
{
    /// <summary>Its inherited supernet weights, fine-tuned with the winner's recipe (half the learning rate, no warm-up).</summary>
    Inherited,

    /// <summary>
    /// Fresh weights, trained with <c>former train</c>'s default recipe — what a model trained alone at the same cost gets, so
    /// the re-rank measures the accuracy a comparison from scratch measures. On the default BurgerFormer mini search the
    /// supernet's favourite family (depths 2-2-3-2) trained from scratch 3 epochs tests up to a point below candidates of
    /// the same budget that it ranked lower (README, "Re-ranked from scratch").
    /// </summary>
    Scratch,
}
