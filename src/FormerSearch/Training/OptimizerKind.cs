namespace FormerSearch.Training;

/// <summary>The optimisers training offers.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW with decoupled weight decay (the papers' choice).</summary>
    AdamW,

    /// <summary>SGD with optional momentum and Nesterov.</summary>
    Sgd,
}
