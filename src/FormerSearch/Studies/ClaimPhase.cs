namespace FormerSearch.Studies;

/// <summary>Which evaluation of a candidate a claim is for.</summary>
public enum ClaimPhase
{
    /// <summary>Validation accuracy (status new → claimed → done).</summary>
    Validation,

    /// <summary>Test accuracy of a final top-k candidate (status done → testing → tested).</summary>
    Test,
}
