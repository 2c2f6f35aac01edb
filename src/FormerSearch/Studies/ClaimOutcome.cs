namespace FormerSearch.Studies;

/// <summary>What <see cref="Study.TryClaim"/> found.</summary>
public enum ClaimOutcome
{
    /// <summary>This worker now holds the claim and must evaluate, then <see cref="Study.Complete"/> or <see cref="Study.Release"/>.</summary>
    Claimed,

    /// <summary>The result is already stored.</summary>
    Done,

    /// <summary>Another live worker holds the claim: poll again later.</summary>
    Busy,
}
