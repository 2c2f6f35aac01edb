namespace FormerSearch.Spaces;

/// <summary>Where a BurgerFormer sub-block's one norm sits: before its op (<c>pre</c>) or after it (<c>post</c>).</summary>
public enum BurgerNormPosition
{
    /// <summary>Before the op.</summary>
    Pre,

    /// <summary>After the op.</summary>
    Post,
}
